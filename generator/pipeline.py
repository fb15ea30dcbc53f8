"""The stages in order, each taking the previous stage's output:

    validate (records/ → checked records) → catalog (+ the records' Git history)
      → per audience: [with --papers, where the view shows them: its dashboard → papers]
                      view → site (render → MkDocs → publish)

The two sites share nothing but the catalog and the history, so they are built side by side,
each in a forked process that inherits them instead of receiving a pickled copy. The meeting
papers are typeset in this process just before the internal site's builder is forked (the
public one is already building); that builder renders the dashboard they were gathered from and
carries them, so the papers and the dashboard pages show one Dashboard.

A build into a site that an earlier build published (and described in its store, site/store.py)
is incremental (site/incremental.py): validation uses its cache, only the record files whose
text changed are read, and when none of them changed in anything but what only its own page
shows, no catalog of every record is made at all ("pages only"). `full=True` ignores the
stores: everything is made again, as for the first build. A site with meeting papers is
always built the whole way (the papers are made from the catalog of every record).
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
from .catalog.view import disclosure, view
from .site import store as stores
from .site.context import Download
from .site.dashboards import compute
from .site.folders import FolderError, locked
from .site.incremental import Job, build, git_latest
from .site.publish import Downloads, Published, PublishError
from .validate import Cache, ChangedDuringBuild, Checked, Source, read_records, validate


def internal_catalog(checked: Checked) -> Catalog:
    """The catalog of a checked tree's valid records, for staff (every view is made from it)."""
    return build_catalog([(v.file, v.record) for v in checked.valid], checked.as_of, "internal")


PAPER_FORMATS = ((".pdf", "PDF（打印用）"), (".docx", "Word（供修改）"))


def meeting_papers(catalog: Catalog) -> Downloads:
    """The next scheduling meeting's pack, as PDF and DOCX for the internal site's papers/, with
    the internal view's Dashboard it was gathered from (the internal site renders that same one).
    Made in this process, never in a forked site builder: Typst's thread pool does not survive a
    fork (a process that had typeset before forking hung in the child), so the builder only
    writes these bytes. Sites that need no papers are forked first and build meanwhile."""
    from .catalog.meetings import Meetings
    from .papers import render
    from .papers.briefing import gather
    from .papers.occasion import next_occasion
    from .papers.pdf import PaperError
    internal = view(catalog, "internal").catalog
    dashboard = compute(internal)
    paper = gather(internal, dashboard, Meetings(internal), next_occasion(internal))
    files = []
    for suffix, label in PAPER_FORMATS:
        try:
            data = render(paper, suffix)
        except PaperError as error:
            raise PublishError(f"会议材料：{error}") from None
        files.append((Download(paper.title, label, f"papers/briefing{suffix}", len(data)), data))
    return Downloads(dashboard, tuple(files))


def build_site(job: Job) -> Published:
    """view → site for one audience."""
    started = time.perf_counter()
    published = build(job)
    return replace(published, seconds=time.perf_counter() - started)


def build_sites(records: Path, as_of: dt.date, audiences: tuple[str, ...], out: Path, work: Path,
                papers: bool = False, full: bool = False, cache: Cache | None = None) -> tuple[Checked, list[Published]]:
    """validate → catalog → per audience: view → site (and with `papers`, the meeting papers on
    the sites whose view shows them). Nothing is written to `out` when the records have errors.
    `cache`: the validation cache an incremental build validates with."""
    records = records.resolve()
    with_papers = {a for a in audiences if papers and disclosure(a).meeting_papers}
    # a first look at the stores (again under the lock): an incremental build validates through
    # the cache and reads only the files that changed; a full one keeps every record it checks
    warm = not full and all(stores.load(work / a, out / a, a, records) for a in audiences)
    checked = validate(records, as_of, cache=cache) if warm else validate(records, as_of, keep_records=True)
    if not checked.ok:
        return checked, []
    if with_papers:
        from .papers.pdf import fonts_missing
        if missing := fonts_missing():
            raise PublishError(f"会议材料需要字体 {'、'.join(missing)}：请安装 Debian 的 fonts-noto-cjk（make system-tools），"
                               "或不加 --papers（make site PAPERS=）")
    history = read_git_history(records)

    def prepare(job: Job) -> Job:
        """The job as it starts: with the meeting papers where its view shows them."""
        return replace(job, papers=meeting_papers(job.catalog)) if job.audience in with_papers else job
    try:
        with locked(out, work):         # one build at a time writes into out/ and work/
            jobs = _jobs(checked, records, as_of, audiences, out, work, history, full, with_papers)
            if len(jobs) == 1 or (os.cpu_count() or 1) == 1 or "fork" not in mp.get_all_start_methods():
                return checked, [build_site(prepare(job)) for job in jobs]
            return checked, _side_by_side(jobs, prepare)
    except FolderError as error:
        raise PublishError(str(error)) from None
    except ChangedDuringBuild as error:
        raise PublishError(f"记录文件 {error} 在生成过程中被修改；请重新运行。") from None


def _jobs(checked: Checked, records: Path, as_of: dt.date, audiences: tuple[str, ...], out: Path, work: Path,
          history: GitHistory, full: bool, with_papers: set[str]) -> list[Job]:
    """Each audience's job: pages only where its store allows and no meeting papers are made or
    were published, else whole (with the store, so that unchanged pages are kept; without one,
    a full build)."""
    sources = checked.sources
    found = {a: None if full else stores.load(work / a, out / a, a, records) for a in audiences}
    known: list[dict[str, Origin]] = []     # what each site's store saw (both sites' are usually the same)
    read: list[bytes] = []
    for store in found.values():
        if store is not None and store.raw("origins") not in read:
            read.append(store.raw("origins"))
            known.append({o.file: o for o in store["origins"]})
    made = {v.file: v.record for v in checked.valid}
    # changed since any site's last build (one site may have been built alone since the other)
    changed_files = {f: s for f, s in sources.items()
                     if not known or any(f not in k or k[f].text != s.hash for k in known)}
    changed = {f: made[f] for f in changed_files if f in made}
    changed.update(read_records({f: s for f, s in changed_files.items() if f not in changed}))
    origins = {f: origin_of(f, s.hash, changed[f]) if f in changed else known[0][f] for f, s in sources.items()}
    common = dict(records=records, out=out, work=work, as_of=as_of, history=history, sources=sources, origins=origins)
    pages_only = {a: found[a] is not None and a not in with_papers and not found[a].meta["papers"]
                  and _unchanged_but_pages(found[a], sources, origins, changed, as_of, history) for a in audiences}
    kept = {f: k for f, k in stores.kept_records(found.values()).items()
            if f in sources and f not in changed and k[0] == sources[f].hash}
    catalog = None
    if not all(pages_only.values()):
        records_now = dict(made)
        records_now.update(changed)
        missing = {f: s for f, s in sources.items() if f not in records_now}
        records_now.update((f, stores.record_from(kept[f][1])) for f in missing if f in kept)
        records_now.update(read_records({f: s for f, s in missing.items() if f not in kept}))
        catalog = build_catalog([(f, records_now[f]) for f in sources], as_of, "internal")
    keeper = audiences[-1]              # the store of the last site built keeps the records
    return [Job(**common, audience=a, store=found[a], kept=kept if a == keeper else None,
                **(dict(changed=changed) if pages_only[a] else dict(catalog=catalog))) for a in audiences]


def _unchanged_but_pages(store: stores.Store, sources: dict[str, Source], origins: dict[str, Origin],
                         changed: dict, as_of: dt.date, history: GitHistory) -> bool:
    """Whether, since the store's build, the records changed only in what their own pages show:
    the same files in the same order, each the same as aggregates read it (facts.Origin), the
    same data date and, where the audience's pages show the Git history, the same date of the last commit.
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


def _side_by_side(jobs: list[Job], prepare) -> list[Published]:
    """Each job in a forked process; their results (or errors) in order. `prepare` runs here just
    before a job is forked (typesetting the papers: never in a forked child, see meeting_papers),
    so a site that needs nothing prepared is already building meanwhile."""
    context = mp.get_context("fork")
    running, failed = [], None
    for job in jobs:
        try:
            job = prepare(job)
        except BaseException as error:  # raised once the children already running are done
            failed = error
            break
        receiver, sender = context.Pipe(duplex=False)
        # forked: the child inherits `job` (the catalog, or the changed records) as it is; nothing is pickled
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
    if failed is not None:
        raise failed
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
