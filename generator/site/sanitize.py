"""Evidence files as the public site publishes them: what was seen, nothing about who saw it.

A photo is re-encoded from its pixels alone (no EXIF: no GPS position, no camera, no
comments). A PDF is rebuilt from its pages alone: the document information (author, title,
software), the XMP metadata, embedded files, scripts and open actions stay behind, and so do
annotations and page-level actions. Both give the same bytes for the same file, so builds
stay reproducible. The internal site keeps the originals.
"""
from __future__ import annotations

import io
from pathlib import Path

IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
_PAGE_KEYS = ("/Annots", "/AA", "/Metadata", "/PieceInfo", "/Thumb")


def public_copy(path: Path) -> bytes:
    """The bytes the public site publishes for evidence file `path`."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_FORMATS:
        return _image(path, IMAGE_FORMATS[suffix])
    if suffix == ".pdf":
        return _pdf(path)
    raise ValueError(f"not an evidence type: {path.name}")


def _image(path: Path, fmt: str) -> bytes:
    from PIL import Image, ImageOps
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB" if fmt == "JPEG" or "A" not in image.getbands() else "RGBA")
        clean = Image.frombytes(image.mode, image.size, image.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def _pdf(path: Path) -> bytes:
    import pikepdf
    with pikepdf.open(path) as source, pikepdf.new() as clean:
        for page in source.pages:
            clean.pages.append(page)
        for page in clean.pages:
            for key in _PAGE_KEYS:
                if key in page.obj:
                    del page.obj[key]
        if "/Info" in clean.trailer:
            del clean.trailer["/Info"]
        buffer = io.BytesIO()
        clean.save(buffer, static_id=True, fix_metadata_version=False)
        return buffer.getvalue()
