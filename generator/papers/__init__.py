"""Meeting papers: the scheduling meeting's pack and circular drafts, as PDF and DOCX.

`document` is the model, `pdf` and `docx` the writers; nothing here reads records. `write`
picks the writer by the file's suffix and replaces the file atomically.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .document import OfficialDocument, Paper

SUFFIXES = (".pdf", ".docx")


def render(doc: Paper | OfficialDocument, suffix: str) -> bytes:
    if suffix == ".pdf":
        from .pdf import render_pdf
        return render_pdf(doc)
    if suffix == ".docx":
        from .docx import render_docx
        return render_docx(doc)
    raise ValueError(f"会议材料只能写成 .pdf 或 .docx：{suffix or '（无扩展名）'}")


def write(doc: Paper | OfficialDocument, path: Path) -> None:
    """Render `doc` for `path`'s suffix, then write it as one step: a temporary file beside the
    target, flushed to disk and renamed over it. On any failure the target is as it was."""
    path = Path(path)
    data = render(doc, path.suffix.lower())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
