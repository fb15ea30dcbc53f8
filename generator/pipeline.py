"""The stages in order, each taking the previous stage's output:

    validate (records/ → checked records) → catalog (+ the records' Git history)
      → per audience: view → site (render → MkDocs → publish)

The two sites share nothing but the catalog and the history, so they are built side by side,
each in a forked process that inherits them instead of receiving a pickled copy.

A build into a site that an earlier build published (and described in its store, site/store.py)
is incremental (site/incremental.py): validation uses its cache, only the record files whose
text changed are read, and when none of them changed in anything but what only its own page
shows, no catalog of every record is made at all ("pages only"). `full=True` ignores the
stores: everything is made again, as for the first build.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import time
from dataclasses import replace
from pathlib import Path

from .catalog.catalog import Catalog, build_catalog
from .catalog.facts import Origin, origin_of
from .catalog.git_history import GitHistory, read_git_history
from .site import store as stores
from .site.folders import FolderError, locked
from .site.incremental import Job, build, git_latest
from .site.publish import Published, PublishError
from .validate import Cache, ChangedDuringBuild, Checked, Source, read_records, validate


def internal_catalog(checked: Checked) -> Catalog:
    """The catalog of a checked tree's valid records, for staff (every view is made from it)."""
    return build_catalog([(v.file, v.record) for v in checked.valid], checked.as_of, "internal")


def build_site(job: Job) -> Published:
    """view → site for one audience."""
    started = time.perf_counter()
    published = build(job)
    return replace(published, seconds=time.perf_counter() - started)


def build_sites(records: Path, as_of: dt.date, audiences: tuple[str, ...], out: Path, work: Path,
                full: bool = False, cache: Cache | None = None) -> tuple[Checked, list[Published]]:
    """validate → catalog → per audience: view → site. Nothing is written to `out` when the
    records have errors. `cache`: the validation cache an incremental build validates with."""
    records = records.resolve()
    # a first look at the stores (again under the lock): an incremental build validates through
    # the cache and reads only the files that changed; a full one keeps every record it checks
    warm = not full and all(stores.load(work / a, out / a, a, records) for a in audiences)
    checked = validate(records, as_of, cache=cache) if warm else validate(records, as_of, keep_records=True)
    if not checked.ok:
        return checked, []
    history = read_git_history(records)
    try:
        with locked(out, work):         # one build at a time writes into out/ and work/
            jobs = _jobs(checked, records, as_of, audiences, out, work, history, full)
            if len(jobs) == 1 or (os.cpu_count() or 1) == 1 or "fork" not in mp.get_all_start_methods():
                return checked, [build_site(job) for job in jobs]
            return checked, _side_by_side(jobs)
    except FolderError as error:
        raise PublishError(str(error)) from None
    except ChangedDuringBuild as error:
        raise PublishError(f"记录文件 {error} 在生成过程中被修改；请重新运行。") from None


def _jobs(checked: Checked, records: Path, as_of: dt.date, audiences: tuple[str, ...], out: Path, work: Path,
          history: GitHistory, full: bool) -> list[Job]:
    """Each audience's job: pages only where its store allows, else whole (with the store, so
    that unchanged pages are kept; without one, a full build)."""
    sources = checked.sources
    found = {a: None if full else stores.load(work / a, out / a, a, records) for a in audiences}
    known: dict[str, Origin] = {}
    read: list[bytes] = []
    for store in found.values():
        if store is not None and store.raw("origins") not in read:     # both sites' are usually the same
            read.append(store.raw("origins"))
            known.update((o.file, o) for o in store["origins"])
    made = {v.file: v.record for v in checked.valid}
    changed_files = {f: s for f, s in sources.items() if f not in known or known[f].text != s.hash}
    changed = {f: made[f] for f in changed_files if f in made}
    changed.update(read_records({f: s for f, s in changed_files.items() if f not in changed}))
    origins = {f: origin_of(f, s.hash, changed[f]) if f in changed else known[f] for f, s in sources.items()}
    common = dict(audience="", records=records, out=out, work=work, as_of=as_of, history=history,
                  sources=sources, origins=origins)
    pages_only = {a: found[a] is not None and _unchanged_but_pages(found[a], sources, origins, changed, as_of, history)
                  for a in audiences}
    catalog = None
    if not all(pages_only.values()):
        records_now = dict(made) if made else {}
        missing = {f: s for f, s in sources.items() if f not in records_now and f not in changed}
        records_now.update(changed)
        records_now.update(read_records(missing))
        catalog = build_catalog([(f, records_now[f]) for f in sources], as_of, "internal")
    return [Job(**dict(common, audience=a), changed=changed, store=found[a]) if pages_only[a]
            else Job(**dict(common, audience=a), catalog=catalog, store=found[a]) for a in audiences]


def _unchanged_but_pages(store: stores.Store, sources: dict[str, Source], origins: dict[str, Origin],
                         changed: dict, as_of: dt.date, history: GitHistory) -> bool:
    """Whether, since the store's build, the records changed only in what their own pages show:
    the same files in the same order, each the same as aggregates read it (facts.Origin), the
    same data date and, where the audience's pages show the Git history, the same last commit.
    Then nothing that navigation pages, dashboards, open data or the feed show has changed; the
    date a view's data last changed (View.last_change) is the same too: it is the last commit's,
    or the latest date in the records, which only aggregates' fields hold."""
    if store.meta["as_of"] != as_of or store.meta["git_latest"] != git_latest(store.meta["audience"], history):
        return False
    before = store["origins"]
    if [o.file for o in before] != list(sources):
        return False
    for old in before:
        if old.file in changed and old._replace(text=b"") != origins[old.file]._replace(text=b""):
            return False
    return True


def _side_by_side(jobs: list[Job]) -> list[Published]:
    """Each job in a forked process; their results (or errors) in order."""
    context = mp.get_context("fork")
    running = []
    for job in jobs:
        receiver, sender = context.Pipe(duplex=False)
        # forked: the child inherits `job` (the whole catalog) as it is; nothing is pickled
        process = context.Process(target=_build_in_child, args=(job, sender))
        process.start()
        sender.close()
        running.append((process, receiver))
    results = []
    for process, receiver in running:
        try:
            result = receiver.recv()
        except EOFError:
            result = None
        process.join()
        results.append(result if result is not None
                       else PublishError(f"生成网站的子进程意外退出（退出码 {process.exitcode}）"))
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def _build_in_child(job: Job, sender) -> None:
    _die_with_parent()
    try:
        result = build_site(job)
    except BaseException as error:      # the parent raises it
        result = error
    try:
        sender.send(result)
    except Exception:                   # an error that does not pickle
        sender.send(PublishError(repr(result)))
    sender.close()


def _die_with_parent() -> None:
    """A killed build must not leave a worker behind that publishes later (Linux only)."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
