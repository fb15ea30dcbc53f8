"""The stages in order, each taking the previous stage's output:

    validate (records/ → checked records) → catalog (+ the records' Git history)
      → per audience: [with --papers, where the view shows them: its dashboard → papers]
                      view → site (render → MkDocs → publish)

The two sites share nothing but the catalog and the history, so they are built side by side,
each in a forked process that inherits them instead of receiving a pickled copy. The meeting
papers are typeset in this process just before the internal site's builder is forked (the
public one is already building); that builder renders the dashboard they were gathered from and
carries them, so the papers and the dashboard pages show one Dashboard.
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
from .catalog.view import disclosure, view
from .site.folders import FolderError, locked
from .site.context import Download
from .site.dashboards import compute
from .site.publish import Downloads, Published, PublishError, publish_site
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
    papers: Downloads | None = None     # the meeting papers, for the view that shows them


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


def build_site(job: SiteJob) -> Published:
    """view → site for one audience."""
    started = time.perf_counter()
    published = publish_site(view(job.catalog, job.audience, job.history), job.records, job.out, job.work,
                             job.papers)
    return replace(published, seconds=time.perf_counter() - started)


def build_sites(records: Path, as_of: dt.date, audiences: tuple[str, ...], out: Path,
                work: Path, papers: bool = False) -> tuple[Checked, list[Published]]:
    """validate → catalog → per audience: view → site (and with `papers`, the meeting papers on
    the sites whose view shows them). Nothing is written to `out` when the records have errors."""
    checked = validate(records, as_of, keep_records=True)
    if not checked.ok:
        return checked, []
    if papers:
        from .papers.pdf import fonts_missing
        if missing := fonts_missing():
            raise PublishError(f"会议材料需要字体 {'、'.join(missing)}：请安装 Debian 的 fonts-noto-cjk（make system-tools），"
                               "或不加 --papers（make site PAPERS=）")
    catalog = internal_catalog(checked)
    history = read_git_history(records)
    jobs = [SiteJob(catalog, history, audience, records, out, work) for audience in audiences]

    def prepare(job: SiteJob) -> SiteJob:
        """The job as it starts: with the meeting papers where its view shows them."""
        return replace(job, papers=meeting_papers(catalog)) if papers and disclosure(job.audience).meeting_papers else job
    try:
        with locked(out, work):         # one build at a time writes into out/ and work/
            if len(jobs) == 1 or (os.cpu_count() or 1) == 1 or "fork" not in mp.get_all_start_methods():
                return checked, [build_site(prepare(job)) for job in jobs]
            return checked, _side_by_side(jobs, prepare)
    except FolderError as error:
        raise PublishError(str(error)) from None


def _side_by_side(jobs: list[SiteJob], prepare) -> list[Published]:
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
    if failed is not None:
        raise failed
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
