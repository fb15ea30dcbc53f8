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


def test_a_hidden_record_named_by_a_public_one_leaves_no_trace_on_the_public_site(make_tree, tmp_path):
    """A public problem in an internal district, that district's score in a public assessment,
    a public meeting's decision owned by an internal unit: the public site shows the problem,
    the other districts' ranking and the meeting, but not the hidden id or name anywhere."""
    tree = make_tree()
    tree.write("records/org/districts/secret-zone.yaml",
               "id: secret-zone\nname: 机密园区\nkind: zone\norder: 9\nvisibility: internal\n")
    tree.write("records/org/units/secret-office.yaml",
               "id: secret-office\nname: 机密办公室\nkind: city_department\nvisibility: internal\n")
    tree.edit(PROBLEM, "district: panlong\nstreet: panlong-cuihu\n", "district: secret-zone\n")
    tree.write("records/assessments/2017/A-2017-0001.yaml", """\
id: A-2017-0001
kind: simulated
title: 四月模拟测评
period: 2017-04
date: 2017-04-08
scores:
  - {district: panlong, score: 91}
  - {district: wuhua, score: 88}
  - {district: secret-zone, score: 12}
""")
    tree.write("records/meetings/2017/M-2017-0001.yaml", """\
id: M-2017-0001
kind: scheduling
title: 第一次调度会
date: 2017-04-07
decisions:
  - {text: 公开的事项, owner: city-management, deadline: 2017-04-30}
  - {text: 机密事项, owner: secret-office, deadline: 2017-04-30}
""")
    assert tree.validate()[0] == 0
    result = build(tree, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    public = tmp_path / "site/public"
    from test_site import site_text
    texts = site_text(public)
    leaks = {name: [path for path, text in texts.items() if secret in text]
             for name, secret in (("id", "secret-zone"), ("name", "机密园区"), ("unit", "secret-office"),
                                  ("unit name", "机密办公室"), ("decision", "机密事项"))}
    assert leaks == {name: [] for name in leaks}
    problem = (public / "problems/P-2017-0001/index.html").read_text("utf-8")
    assert "翠湖街道某某路占道经营" in problem
    assert "公开的事项" in (public / "meetings/M-2017-0001/index.html").read_text("utf-8")
    internal = site_text(tmp_path / "site/internal")
    assert any("机密园区" in text for text in internal.values())
