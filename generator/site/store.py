"""What the last build of one audience's site knew, kept for the next build (site/incremental.py).

One file, `<work>/<audience>/taizhang-store`, inside the build's own marked folder: the records as
the site saw them (their facts, catalog/facts.py), every page's dependencies, the files of the
published site, the page frames and the search index's state. It describes one published site:
it names that site's identity (the device and inode of `<out>/<audience>` and of its build marker,
which every publish makes anew) and the generator that built it (a hash of the generator's
source, the templates, mkdocs.yml, the Python and library versions). A store that cannot be read,
was written by another generator, or describes another site than the one published (another
`--work`, a site copied or rebuilt elsewhere) is not used: the build is then a full one.

Written after the new site is published, to a temporary name in the same folder, flushed and
renamed: a build killed before that leaves the old store, which no longer matches the published
site, so the next build is full. Read with an unpickler that builds only plain data and the
generator's own data classes (validate/engine/cache.py).
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path

from ..validate.engine.cache import SafeUnpickler
from .folders import MARKER

FORMAT = 1
FILE = "taizhang-store"
ROOT = Path(__file__).resolve().parents[2]
_LIBRARIES = ("mkdocs", "mkdocs-material", "jinja2", "markupsafe", "markdown", "nh3", "pydantic",
              "pydantic-core", "pyyaml", "pillow", "pikepdf")


@cache
def generator_version() -> str:
    """Changes whenever the generator could build a different site from the same records."""
    from importlib import metadata
    digest = hashlib.sha256(f"{FORMAT} {sys.version}".encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} -\n".encode())
    files = [p for part in ("generator", "site_templates") for p in (ROOT / part).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")]
    files.append(ROOT / "mkdocs.yml")
    # the form editor's npm packages, copied into the internal site (site/cms.py)
    files += [p for p in (ROOT / "tools/cms/node_modules/decap-cms/package.json",
                          ROOT / "tools/cms/node_modules/js-yaml/package.json") if p.is_file()]
    for path in sorted(files):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def identity(site: Path) -> tuple | None:
    """What tells the published site at `site` from any other: its folder's and its build
    marker's device, inode and change time."""
    try:
        folder, marker = os.stat(site, follow_symlinks=False), os.stat(site / MARKER, follow_symlinks=False)
    except OSError:
        return None
    return (folder.st_dev, folder.st_ino, folder.st_ctime_ns, marker.st_ino, marker.st_mtime_ns)


class Store:
    """A store as read: its meta data and its parts, each unpickled when first asked for."""

    def __init__(self, meta: dict, raw: dict[str, bytes]):
        self.meta = meta
        self._raw = raw
        self._loaded: dict[str, object] = {}

    def __getitem__(self, name: str):
        if name not in self._loaded:
            self._loaded[name] = SafeUnpickler(io.BytesIO(self._raw[name])).load()
        return self._loaded[name]

    def raw(self, name: str) -> bytes:
        return self._raw[name]

    def __contains__(self, name: str) -> bool:
        return name in self._raw


# The records as the last build read them, so that a build the whole way reads again only the
# files that changed: file → (hash of the text it was made from, the record pickled). Kept in
# one audience's store (the last built); each record is unpickled only when its file is unchanged.
RECORDS = "records"


def kept_records(found) -> dict[str, tuple[bytes, bytes]]:
    """What the first of the stores `found` that keeps the records holds ({} if none does)."""
    for store in found:
        if store is not None and RECORDS in store:
            return store[RECORDS]
    return {}


def record_from(pickled: bytes):
    """A record as `kept_records` holds it: built only of the generator's model classes."""
    return SafeUnpickler(io.BytesIO(pickled)).load()


def pickled(record) -> bytes:
    return pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)


def load(work: Path, site: Path, audience: str, records: Path) -> Store | None:
    """The store in `work` if it describes the site published at `site` for `audience`, built
    from `records` by this generator; else None (and the build is a full one)."""
    try:
        with open(work / FILE, "rb") as f:
            key, meta, raw = SafeUnpickler(f).load()
        if key != (FORMAT, generator_version()) or not isinstance(meta, dict) or not isinstance(raw, dict):
            return None
        if meta.get("audience") != audience or meta.get("records") != str(records.resolve()):
            return None
        if meta.get("site") is None or meta.get("site") != identity(site):
            return None
        return Store(meta, raw)
    except Exception:           # missing, unreadable, truncated, foreign: all mean "no store"
        return None


def save(work: Path, meta: dict, parts: dict[str, object]) -> None:
    """Write the store atomically; parts given as bytes are taken as already pickled."""
    raw = {k: v if isinstance(v, bytes) else pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)
           for k, v in parts.items()}
    fd, temp = tempfile.mkstemp(dir=work, prefix=f".{FILE}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(((FORMAT, generator_version()), meta, raw), f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, work / FILE)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def forget(work: Path) -> None:
    """Remove the store (a build that fails after publishing must not leave one that lies)."""
    try:
        os.unlink(work / FILE)
    except OSError:
        pass
