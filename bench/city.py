"""The synthetic cities the benchmarks measure, cached under build/bench/ and made again when
the code that writes them changes.

A city is kept with a stamp (`.complete`) naming its size, seed and a hash of the code that
wrote it (generator/synth/ and the record model it writes with, generator/model/). A city
written by other code, or cut short, is removed and written again: a benchmark never measures
the city of an older `synth`.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYNTH_CODE = ("generator/synth", "generator/model")


def synth_hash(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for folder in SYNTH_CODE:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def stamp_for(problems: int, seed: int, root: Path = ROOT) -> dict:
    return {"problems": problems, "seed": seed, "synth": synth_hash(root)}


def is_current(base: Path, problems: int, seed: int = 1, root: Path = ROOT) -> bool:
    try:
        found = json.loads((base / ".complete").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return found == stamp_for(problems, seed, root) and (base / "records").is_dir()


def ensure_city(base: Path, problems: int, seed: int = 1) -> Path:
    """base/records: a city of `problems` problems written by today's synth (reused if it is)."""
    if not is_current(base, problems, seed):
        if base.exists() and any(base.iterdir()) and not (base / ".complete").exists():
            raise SystemExit(f"{base} 不是基准测试写的城市（没有 .complete），不删除它；请换一个文件夹")
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        subprocess.run([sys.executable, "-m", "generator", "synth", "--out", str(base), "--problems", str(problems),
                        "--seed", str(seed)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        (base / ".complete").write_text(json.dumps(stamp_for(problems, seed)), "utf-8")
    return base / "records"
