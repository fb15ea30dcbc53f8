"""What could reach the public site around the audience projection: evidence files. A PDF's
author, XMP metadata, scripts and annotations stay behind; the internal site keeps the
original; two builds give the same bytes."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest


ROOT = Path(__file__).resolve().parents[1]
PROBLEM = "records/problems/2017/P-2017-0001.yaml"
SECRET = "张三 13812345678"

pytestmark = pytest.mark.slow


def hostile_pdf() -> bytes:
    """One page, with the document information, XMP, an open action running JavaScript, an
    embedded file and an annotation, each carrying a secret."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = SECRET
    pdf.docinfo["/Title"] = "内部：" + SECRET
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [SECRET]
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('13812345678')")))
    pdf.attachments["secret.txt"] = pikepdf.AttachedFileSpec(pdf, SECRET.encode("utf-8"))
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 10, 10], Contents=pikepdf.String(SECRET)))]))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def build(tree, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "build", "--records", str(tree.records),
                           "--out", str(out), "--work", str(out.parent / "work"), "--as-of", "2017-05-31"],
                          cwd=ROOT, capture_output=True, text=True)


def test_public_pdf_evidence_is_rebuilt_without_metadata_scripts_or_annotations(make_tree, tmp_path):
    tree = make_tree()
    original = hostile_pdf()
    tree.write("records/attachments/2017/P-2017-0001-scan.pdf", original)
    tree.edit(PROBLEM, "      - attachments/2017/P-2017-0001-after.jpg",
              "      - attachments/2017/P-2017-0001-after.jpg\n      - attachments/2017/P-2017-0001-scan.pdf")
    assert tree.validate()[0] == 0
    result = build(tree, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    public = tmp_path / "site/public/attachments/2017/P-2017-0001-scan.pdf"
    internal = tmp_path / "site/internal/attachments/2017/P-2017-0001-scan.pdf"
    assert internal.read_bytes() == original
    data = public.read_bytes()
    for secret in (b"13812345678", SECRET.encode("utf-16-be"), b"JavaScript", b"secret.txt", b"dc:creator"):
        assert secret not in data, secret
    with pikepdf.open(public) as pdf:
        assert len(pdf.pages) == 1
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
        assert "/OpenAction" not in pdf.Root and "/Names" not in pdf.Root
        assert "/Annots" not in pdf.pages[0].obj
    again = build(tree, tmp_path / "again")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again/public/attachments/2017/P-2017-0001-scan.pdf").read_bytes() == data
