"""Meeting papers: the scheduling meeting's pack and circular drafts, as PDF and DOCX.

`document` is the model, `pdf` and `docx` the writers; nothing here reads records. `write`
picks the writer by the file's suffix and replaces the file atomically.
"""
from __future__ import annotations

from pathlib import Path

from .. import atomic
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
    """Render `doc` for `path`'s suffix, then write it as one step (atomic.write_bytes). On
    any failure the target is as it was."""
    path = Path(path)
    data = render(doc, path.suffix.lower())
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(path, data)
