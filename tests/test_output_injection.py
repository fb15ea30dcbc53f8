"""Every output another program reads is a format with its own escaping: record text must not
become a GitHub workflow command in a CI log, a formula in a spreadsheet, or a second line in a
terminal."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
P = "records/problems/2017/P-2017-0001.yaml"

# what an attacker would put in a record to drive the CI log
COMMANDS = ["::add-mask::secret", "::warning file=x.yaml::fake", "::stop-commands::tok", "::set-output name=a::b",
            "::error::boom", "%0A::error::encoded"]
OUR_COMMAND = re.compile(r"^::(error|warning) file=[^,:\r\n]*,line=\d+,col=\d+,title=[EW]-[A-Z-]+::[^\r\n]*$")


def _github(tree) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "generator", "validate", "--records", str(tree.records), "--as-of",
                           "2017-05-31", "--format", "github"], cwd=ROOT, capture_output=True)
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    # the runner splits on \n and on \r too, and ignores leading blanks before a command
    return [line.strip() for line in re.split(r"\r\n|\r|\n", proc.stdout.decode("utf-8"))]


@pytest.mark.parametrize("command", COMMANDS)
def test_record_text_never_starts_a_workflow_command(make_tree, command):
    tree = make_tree()
    tree.edit(P, "source: inspection", f"source: {json.dumps('x' + chr(10) + command)}")
    tree.edit(P, "district: panlong", f"district: {json.dumps('nowhere' + chr(13) + command)}")
    tree.edit(P, "title:", f"{json.dumps(command)}: 1\ntitle:")
    tree.write("records/problems/2017/P-2017-0002\n" + command.replace("/", "_") + ".yaml", "id: x\n")
    lines = _github(tree)
    commands = [line for line in lines if line.startswith("::")]
    assert commands, lines
    for line in commands:
        assert OUR_COMMAND.match(line), line
    # and the annotation's message still says what the value was, escaped
    assert any("E-SCHEMA-ENUM" in line and "\\n" in line for line in commands)


def _problem(tree, title: str) -> None:
    tree.edit(P, "title: 翠湖街道某某路占道经营", f"title: {json.dumps(title, ensure_ascii=False)}")


FORMULAS = ['=HYPERLINK("http://evil.example/","点击")', "+1+1", "-2+3", "@SUM(1+1)", "\t=1+1", "=cmd|' /C calc'!A0"]


@pytest.mark.slow
@pytest.mark.parametrize("title", FORMULAS)
def test_open_data_csv_neutralises_formulas_and_json_keeps_the_text(make_tree, tmp_path, title):
    tree = make_tree()
    _problem(tree, title)
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--records", str(tree.records), "--out",
                           str(tmp_path / "site"), "--work", str(tmp_path / "work"), "--audience", "public",
                           "--as-of", "2017-05-31"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = tmp_path / "site/public/data"
    rows = list(csv.reader(io.StringIO((data / "problems.csv").read_text("utf-8-sig"))))
    cell = rows[1][rows[0].index("问题")]
    assert cell == "'" + title
    assert json.loads((data / "problems.json").read_text("utf-8"))["rows"][0]["title"] == title
    with zipfile.ZipFile(data / "problems.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and 't="inlineStr"' in sheet


@pytest.mark.parametrize("title", FORMULAS[:2])
def test_exported_ledger_writes_formula_like_text_as_text(make_tree, tmp_path, title):
    from openpyxl import load_workbook
    tree = make_tree()
    _problem(tree, title)
    out = tmp_path / "台账.xlsx"
    proc = subprocess.run([sys.executable, "-m", "generator", "export-xlsx", "--out", str(out), "--records",
                           str(tree.records), "--as-of", "2017-05-31"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as book:
        assert not any("<f>" in book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/"))
    cell = load_workbook(out)["全部问题"]["B2"]
    assert cell.value == title and cell.data_type == "s"
