"""Where the validator keeps what it learnt in an earlier run, and how it is read and written.

Only storage lives here; what is stored is decided by run.py (state.py, workers.py). One
folder per record tree, holding a `state` file (every file's stat signature and text hash, the
last run's findings, the id tables) and 256 `files-NNN` shards (each file's facts by text hash):

    $XDG_CACHE_HOME/taizhang/validate/<hash of the records folder's path>/   (default ~/.cache/…)

It lives outside the repository on purpose: a file under the working tree could arrive with a
pull request (`.gitignore` does not stop `git add -f`, and checkout overwrites ignored files),
and a cache that says "this file has no errors" must only ever come from this machine.

Every file carries the cache key: the format, a hash of the source of every generator module
that validation can import and of the versions of the libraries whose behaviour shows in
findings, and the records folder. A file with another key, or one that cannot be read or
unpickled, is ignored (and later replaced); unpickling builds only plain data and the
generator's own data classes, never calls anything else. Files are written to a temporary
name and renamed, so a reader never sees half a file. Deleting the folder is always safe.
"""
from __future__ import annotations

import ast
import dataclasses
import hashlib
import io
import os
import pickle
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path

FORMAT = 1
KEEP_TREES = 8           # caches of this many record trees are kept; older ones are deleted

START = "validate.engine.run"        # the module `validate()` lives in; the walk follows its imports


@cache
def source_version() -> str:
    """Changes whenever the validator could report differently: its code (every module of
    the generator that validation can import), or a library's version."""
    import PIL
    import pydantic
    import yaml
    digest = hashlib.sha1(f"{FORMAT} {sys.version} {pydantic.VERSION} {yaml.__version__} "
                          f"{PIL.__version__}".encode())
    package = Path(__file__).resolve().parents[2]            # generator/
    for path in sorted(_imported_by(package, START)):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _imported_by(package: Path, start: str) -> set[Path]:
    """The package's source files that module `start` imports, directly or not, at the top
    or inside functions (read from the import statements, so the answer does not depend on
    what this process happens to have imported). The site build's modules are not among
    them: changing those does not throw the cache away."""
    def source(name: str) -> Path | None:
        base = package.joinpath(*name.split(".")) if name else package
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    found: set[Path] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        path = source(name)
        if path is None or path in found:
            continue
        found.add(path)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]      # parent packages
        here = parts if path.name == "__init__.py" else parts[:-1]       # the module's package
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = here[:len(here) - node.level + 1]
                target = base + (node.module.split(".") if node.module else [])
                todo.append(".".join(target))
                todo += [".".join(target + [alias.name]) for alias in node.names]   # submodules
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                todo += [n.removeprefix(f"{package.name}.") for n in names if n and n.startswith(f"{package.name}.")]
    return found


def default_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "taizhang" / "validate"


class SafeUnpickler(pickle.Unpickler):
    """Rebuilds only plain data and the generator's own dataclasses, named tuples and record
    models (whose state pydantic sets without validating or calling anything), never calls
    anything else: a damaged or foreign file fails to load instead of running code."""
    _ALLOWED = {("datetime", "date"), ("builtins", "frozenset"), ("builtins", "set")}

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        if module.startswith("generator."):
            found = super().find_class(module, name)
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or issubclass(found, tuple)
                                            or (module.startswith("generator.model.") and _is_model(found))):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not cache data")


def _is_model(found: type) -> bool:
    from pydantic import BaseModel         # imported with the model module that was just found
    return issubclass(found, BaseModel)


def unpickle(data: bytes):
    """Cache data pickled by this module (plain data and the generator's own classes only)."""
    return SafeUnpickler(io.BytesIO(data)).load()


class Sections:
    """A cache file's named parts, each unpickled only when asked for (a run that finds
    nothing changed needs a fraction of what one after an edit needs)."""

    def __init__(self, raw: dict[str, bytes]):
        self.raw = raw
        self._loaded: dict[str, object] = {}

    @classmethod
    def held(cls, parts: dict[str, object]) -> "Sections":
        """Parts held in memory: objects, or bytes still pickled (what a run just saved, for a
        second run over the same tree in the same process)."""
        sections = cls(dict(parts))
        sections._loaded = {k: v for k, v in parts.items() if not isinstance(v, bytes)}
        return sections

    def get(self, name: str):
        """The part's object, or None if it is missing or cannot be read."""
        if name not in self._loaded:
            try:
                self._loaded[name] = SafeUnpickler(io.BytesIO(self.raw[name])).load()
            except Exception:
                self._loaded[name] = None
        return self._loaded[name]


class Cache:
    """The cache folder of one record tree."""

    def __init__(self, records: Path, folder: Path | None = None):
        records = records.resolve()
        self.root = folder or default_folder()
        self.folder = self.root / hashlib.sha1(os.fsencode(records)).hexdigest()[:16]
        self.key = (FORMAT, source_version(), str(records))

    def load(self, name: str) -> Sections | None:
        """The file saved under `name` with this cache's key, or None."""
        try:
            with open(self.folder / name, "rb") as f:
                key, raw = SafeUnpickler(f).load()   # the envelope holds only the key and bytes
            if key != self.key or not isinstance(raw, dict):
                return None
            return Sections(raw)
        except Exception:       # missing, unreadable, truncated, foreign: all mean "no cache"
            return None

    def save(self, name: str, parts: dict[str, object]) -> None:
        """Write atomically; a part given as `bytes` is taken as already pickled (unchanged
        since it was loaded). A cache that cannot be written is simply not written."""
        try:
            raw = {k: v if isinstance(v, bytes) else pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)
                   for k, v in parts.items()}
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump((self.key, raw), f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self.folder / name)
            except BaseException:
                os.unlink(tmp)
                raise
        except Exception:
            pass

    def prune(self) -> None:
        """Keep the caches of the most recently used KEEP_TREES record trees (every synthetic
        city, every test tree gets one) and of this one."""
        try:
            os.utime(self.folder)
            trees = sorted((p for p in self.root.iterdir() if p.is_dir()),
                           key=lambda p: p.stat().st_mtime, reverse=True)
            for old in trees[KEEP_TREES:]:
                if old != self.folder:
                    shutil.rmtree(old, ignore_errors=True)
        except Exception:
            pass
