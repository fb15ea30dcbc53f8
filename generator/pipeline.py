"""The stages in order, each taking the previous stage's output:

    validate (records/ → checked records) → catalog (+ the records' Git history)
      → per audience: view → site (render → MkDocs → publish)
                                 └ papers (with --papers, where the view shows them: the next
                                   scheduling meeting's pack from the site's own dashboard)

The two sites share nothing but the catalog and the history, so they are built side by side,
each in a forked process that inherits them instead of receiving a pickled copy.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .catalog.catalog import Catalog, build_catalog
from .catalog.git_history import GitHistory, read_git_history
from .catalog.view import View, view
from .site.folders import FolderError, locked
from .site.context import Download
from .site.dashboards import Dashboard
from .site.publish import Published, PublishError, publish_site
from .validate import Checked, validate


def internal_catalog(checked: Checked) -> Catalog:
    """The catalog of a checked tree's valid records, for staff (every view is made from it)."""
    return build_catalog([(v.file, v.record) for v in checked.valid], checked.as_of, "internal")


@dataclass(frozen=True)
class SiteJob:
    """What building one audience's site takes."""
    catalog: Catalog
    history: GitHistory
    audience: str
    records: Path
    out: Path
    work: Path
    papers: bool = False                # the meeting papers, where the view shows them


PAPER_FORMATS = ((".pdf", "PDF（打印用）"), (".docx", "Word（供修改）"))


def write_papers(site_view: View, dashboard: Dashboard, docs: Path) -> tuple[Download, ...]:
    """The next scheduling meeting's pack, as PDF and DOCX, into docs/papers/: gathered from the
    dashboard the site shows, so the papers and the dashboard pages cannot disagree."""
    from .catalog.meetings import Meetings
    from .papers import write
    from .papers.briefing import gather
    from .papers.occasion import next_occasion
    from .papers.pdf import PaperError
    catalog = site_view.catalog
    paper = gather(catalog, dashboard, Meetings(catalog), next_occasion(catalog))
    out = []
    for suffix, label in PAPER_FORMATS:
        path = docs / "papers" / f"briefing{suffix}"
        try:
            write(paper, path)
        except PaperError as error:
            raise PublishError(f"会议材料：{error}") from None
        out.append(Download(paper.title, label, path.relative_to(docs).as_posix(), path.stat().st_size))
    return tuple(out)


def build_site(job: SiteJob) -> Published:
    """view → site for one audience."""
    started = time.perf_counter()
    published = publish_site(view(job.catalog, job.audience, job.history), job.records, job.out, job.work,
                             write_papers if job.papers else None)
    return replace(published, seconds=time.perf_counter() - started)


def build_sites(records: Path, as_of: dt.date, audiences: tuple[str, ...], out: Path,
                work: Path, papers: bool = False) -> tuple[Checked, list[Published]]:
    """validate → catalog → per audience: view → site (and with `papers`, the meeting papers on
    the sites whose view shows them). Nothing is written to `out` when the records have errors."""
    checked = validate(records, as_of, keep_records=True)
    if not checked.ok:
        return checked, []
    catalog = internal_catalog(checked)
    history = read_git_history(records)
    jobs = [SiteJob(catalog, history, audience, records, out, work, papers) for audience in audiences]
    try:
        with locked(out, work):         # one build at a time writes into out/ and work/
            if len(jobs) == 1 or (os.cpu_count() or 1) == 1 or "fork" not in mp.get_all_start_methods():
                return checked, [build_site(job) for job in jobs]
            return checked, _side_by_side(jobs)
    except FolderError as error:
        raise PublishError(str(error)) from None


def _side_by_side(jobs: list[SiteJob]) -> list[Published]:
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


def _build_in_child(job: SiteJob, sender) -> None:
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
