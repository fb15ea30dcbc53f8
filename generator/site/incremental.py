"""One audience's site, built whole or only where its inputs changed (issue 19).

Every build writes a store (site/store.py) of what it knew: each record's facts, each page's
spec and dependencies, the frames, the search index's terms, the published files. The next
build into the same `--out` and `--work` then takes one of two ways (the pipeline chooses):

- **pages only** (`Job.catalog` is None): no record changed in anything but what only its own
  page shows (facts.PAGE_ONLY), the records, their order, the data date and the date the ledger
  last changed are the same. The navigation pages, open data, feed and frames are the
  published ones; the pages whose dependencies changed are written again (their records made
  from their files, only those), the search index is patched;
- **whole** (a catalog of every record is given): the aggregates and the pages MkDocs builds
  are made again; of the other pages only those whose spec, frame or dependencies changed are
  written; with no store, every page (a full build).

Either way the new site is staged beside the published one, from hard links to the files it
keeps and new files for the others (staging.py), and swapped in as a whole: a page is
reused only if the last build's dependencies prove that writing it again gives the same bytes,
and tests/test_incremental.py checks that against full builds over random edits.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import jinja2

from ..catalog.book import Book, Tracker
from ..catalog.catalog import Catalog
from ..catalog.facts import Facts, Origin, facts_of
from ..catalog.git_history import GitHistory
from ..catalog.view import View, disclosure, project, public_ids, shown_history, view
from ..model import Record
from ..model.lifecycle import status as problem_status
from ..validate import Source, read_records
from . import store as stores
from .changes import Keys, Moment, Unstorable, changed_keys, history_digests, page_of, spec_of, touches
from .context import Site
from .csp import apply_csp
from .folders import FolderError, claim, mark
from .frame import FRAME_DIR, FrameError, Frames, output_file, read_frames
from .pages import Page, plan
from .precompress import MIN_SIZE, is_text, precompress
from .publish import (TEMPLATES, Downloads, PublishError, Published, empty_work, footer_note, new_staging, peak_mb,
                      prepare_docs, run_mkdocs, swap, template_error, write_data)
from .render import Renderer, standings
from .sanitize import public_copy
from .search import Entry, SearchIndex, built_entry, entry, marked, patch
from .staging import Stage, files_under, replace
from .tracking import TrackedSite
from .urls import depth, page_url


@dataclass(frozen=True)
class Job:
    """What building one audience's site takes."""
    audience: str
    records: Path
    out: Path
    work: Path                              # the work root: this audience's folder is work/audience
    as_of: dt.date
    history: GitHistory                     # the records' Git history (all of it: the view cuts it)
    sources: Mapping[str, Source]           # every record file as validated, in file order
    origins: Mapping[str, Origin]           # every record file's, as it is now
    catalog: Catalog | None = None          # the internal catalog of every record: a whole build
    changed: Mapping[str, Record] = field(default_factory=dict)   # pages only: the files that changed
    store: stores.Store | None = None
    papers: Downloads | None = None         # the meeting papers, for the view that shows them (whole only)
    kept: Mapping[str, tuple[bytes, bytes]] | None = None   # the job that keeps the records (store.RECORDS): those still valid


def build(job: Job) -> Published:
    """The site of `job.audience`, published into `job.out`. The caller holds the lock of the
    out and work folders (folders.locked)."""
    try:
        claim(job.work / job.audience, "work", "--work")
        claim(job.out / job.audience, "site", "--out")
    except FolderError as error:
        raise PublishError(str(error)) from None
    try:
        return _pages_only(job) if job.catalog is None else _whole(job)
    except FrameError as error:
        raise PublishError(str(error)) from error
    except jinja2.TemplateError as error:       # a broken template (site_templates/)
        raise PublishError(template_error(error)) from error


# --- pieces both ways share --------------------------------------------------------------------

def _render(page: Page, renderer: Renderer, book: Book, frames: Frames, site: Site) -> tuple[bytes, Tracker, str]:
    """A page written into its frame: (its bytes, what it read, its article)."""
    tracker = book.tracker = Tracker()
    try:
        body = renderer.render(page.template, page.context)
    finally:
        book.tracker = None
    if page.context.record is not None:
        body = marked(body)
    text = frames[depth(page.context.path)].page(page.context.title, body, footer_note(site, tracker.dated))
    return text.encode("utf-8"), tracker, body


def _rel(path: str) -> str:
    return page_url(path) + "index.html"


def _signature(path: Path) -> tuple | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _attachments(facts: list[Facts], records: Path, target: Path, sanitise: bool, old: dict, kept: set[str],
                 outputs: set[str]) -> tuple[dict, list[str]]:
    """Evidence the view's problems show, each the published copy when its file is unchanged
    (validate has proven each a regular file under records/attachments/ of its type); the
    public site gets sanitised copies. Returns (each file's signature, the files written)."""
    signatures, written = {}, []
    for rel in sorted({rel for f in facts for rel in f.evidence}):
        source = records / rel
        if not source.is_file() or source.is_symlink():
            continue
        signatures[rel] = signature = _signature(source)
        if old.get(rel) == signature and rel in outputs:
            kept.add(rel)
            continue
        replace(target / rel, public_copy(source) if sanitise else source.read_bytes())
        written.append(rel)
    return signatures, written


def _precompressed(target: Path, previous: Path, written: list[str]) -> set[str]:
    """`.gz` for the text files written in this build (the kept ones keep theirs)."""
    precompress(target, previous=previous, only=[target / rel for rel in written])
    return {rel + ".gz" for rel in written if is_text(rel) and (target / rel).stat().st_size >= MIN_SIZE}


def _view_of(audience: str, book: Book, history: GitHistory, last_change: dt.date | None) -> View:
    """The view the pages see: the book as its catalog, the history as the audience sees it
    (catalog/view.py: none where the view does not show it), the last change as the last build
    found it."""
    return View(audience, book, shown_history(audience, history, book.files.values()), disclosure(audience), last_change)


def _links(outgoing: tuple) -> tuple[str, ...]:
    return tuple(sorted({target for target, _ in outgoing}))


def _stage(job: Job, old_outputs: set[str]) -> tuple[Path, Stage]:
    """The staging folder and the stage of the new site: the spare the last build kept, where
    there is one and the store knows how it differs from the published site, else a fresh one."""
    old = job.store
    spare = old.meta.get("spare") if old is not None else None
    container, recycled = new_staging(job.out, job.audience, spare)
    differ = old["differ"] if recycled else None
    return container, Stage(container / "site", job.out / job.audience, differ)


def _finish(job: Job, container: Path, stage: Stage, meta: dict, parts: dict, storable: bool,
            old_outputs: set[str] | None, outputs: set[str], written: set[str]) -> Path:
    """Swap the staged site in and keep the store for the next build; keep the replaced site as
    the spare where the store can say how it differs from the new one (`old_outputs`: the
    replaced site's files, None if not known)."""
    stage.finish(outputs, old_outputs or ())
    work = job.work / job.audience
    stores.forget(work)                  # the old store is about to describe a site that is gone
    keep = storable and old_outputs is not None
    target, spare = swap(container, job.out, job.audience, keep)
    if storable:
        meta = dict(meta, site=stores.identity(target), spare=spare)
        # the spare's files are the new site's but for those written now and those it no longer has
        parts = dict(parts, differ=sorted(written | (old_outputs - outputs)) if spare is not None else [])
        if meta["site"] is not None:
            stores.save(work, meta, parts)
    return target


def _records_part(job: Job, records: Mapping[str, Record]) -> dict:
    """The records part of the store (store.RECORDS) for the job that keeps it: what it was
    given and the other `records` (file → record) pickled; else nothing."""
    if job.kept is None:
        return {}
    out = dict(job.kept)
    for file, record in records.items():
        if file not in out:
            out[file] = (job.sources[file].hash, stores.pickled(record))
    return {stores.RECORDS: out}


def git_latest(audience: str, history: GitHistory) -> dt.date | None:
    """The date of the last commit as the audience's pages may show it (None: not at all)."""
    return history.latest if disclosure(audience).git_history else None


def _meta(job: Job, site: Site, book: Book, pages: int, latest: dt.date | None) -> dict:
    return {"audience": job.audience, "records": str(job.records.resolve()), "as_of": job.as_of,
            "latest": latest, "git_latest": git_latest(job.audience, job.history),
            "yellow": book.thresholds.yellow_days, "pages": pages, "papers": job.papers is not None,
            "settings": _settings(site, book)}


def _settings(site: Site, book: Book) -> tuple:
    """The campaign's settings any page may show without reading them through the book (the
    site's name, whether the data are illustrative, how many districts a ranking marks)."""
    return site.name, site.city, site.icp, site.illustrative, book.thresholds.bottom_n


# --- the whole way -----------------------------------------------------------------------------

def _whole(job: Job) -> Published:
    started = time.perf_counter()
    audience, old = job.audience, job.store
    work = job.work / audience
    empty_work(work)
    mark(work, "work")
    eager = view(job.catalog, audience, job.history)
    ecat = eager.catalog
    keep = None if audience == "internal" else set(ecat.records)
    facts = [facts_of(ecat.files[rid], job.origins[ecat.files[rid]].text, job.catalog.records[rid], shown, keep,
                      ecat.status.get(rid), agg=job.origins[ecat.files[rid]].agg, pairs=ecat.outgoing[rid],
                      links=_links(job.catalog.outgoing[rid]))
             for rid, shown in ecat.records.items()]
    book = Book(job.as_of, audience, facts, list(ecat.records.values()), _made_already, ecat.thresholds.yellow_days)
    page_view = View(audience, book, eager.history, eager.shows, eager.last_change)
    site = Site.of(eager)
    shown = job.papers if job.papers is not None and eager.shows.meeting_papers else None
    dashboard, tables = write_data(eager, site, work / "docs", shown.dashboard if shown else None)
    pages = plan(page_view, TrackedSite(site, book), dashboard, tables, shown.write(work / "docs") if shown else ())
    renderer = Renderer(TEMPLATES, page_view, site, dashboard)
    config = prepare_docs(eager, site, pages, renderer, work)
    run_mkdocs(config, job.as_of)
    built = work / "site"
    apply_csp(built)         # before the frames are read: they carry the policy to every page
    direct = [p for p in pages if not p.in_mkdocs]
    frames = read_frames(built, {depth(p.context.path) for p in direct})
    shutil.rmtree(built / FRAME_DIR, ignore_errors=True)
    frames.write_shared(built)
    docs = [e for e in (built_entry(built, output_file(built, p.context.path)) for p in pages if p.in_mkdocs) if e]
    made = files_under(built)

    moment = Moment(job.as_of, book.thresholds.yellow_days, eager.last_change, history_digests(eager.history),
                    standings(dashboard))
    if old is not None:
        keys, old_pages, old_frames = Keys(old["keys"]), old["pages"], old["frames"]
        before = Moment(old.meta["as_of"], old.meta["yellow"], old.meta["latest"], old["history"], old["standing"])
        changed = keys.known(changed_keys(old["facts"], facts, before, moment, structure=True))
        old_outputs, old_search = set(old["outputs"]), old["search"]
        old_docs = {e.doc.url: e for e in old_search.entries}
        if old.meta["settings"] != _settings(site, book):
            old_frames = None                   # no page is kept
    else:
        keys, old_pages, old_frames, changed, old_outputs, old_search, old_docs = Keys(), {}, None, set(), set(), None, {}

    container, stage = _stage(job, old_outputs)
    target = stage.target
    stage.move_in(built, made)
    kept: set[str] = set()
    written: list[str] = list(made)
    records: dict[str, tuple] = {}
    storable = True
    for page in direct:
        path = page.context.path
        try:
            spec = spec_of(page)
        except Unstorable:
            spec, storable = None, False
        was = old_pages.get(path)
        level = depth(path)
        rel = _rel(path)
        url = page_url(path)
        if (was is not None and spec is not None and was[0] == spec and old_frames is not None
                and old_frames.by_level.get(level) == frames[level] and not touches(was[1], changed)
                and rel in old_outputs and (page.context.record is None or url in old_docs)):
            kept.add(rel)
            if rel + ".gz" in old_outputs:
                kept.add(rel + ".gz")
            records[path] = was
            if page.context.record is not None:
                docs.append(old_docs[url])
            continue
        data, tracker, body = _render(page, renderer, book, frames, site)
        replace(target / rel, data)
        written.append(rel)
        records[path] = (spec, keys.numbers(tracker.keys))
        if page.context.record is not None:
            docs.append(entry(url, page.context.title, body))

    signatures, copied = _attachments(facts, job.records, target, not eager.shows.original_evidence,
                                      old["attachments"] if old is not None else {}, kept, old_outputs)
    written += copied
    stage.keep(kept)
    search, outputs, fresh = _search_and_compress(docs, old_search, old_outputs, stage, written, kept, audience)
    target_path = _finish(job, container, stage, _meta(job, site, book, len(pages), moment.latest), {
        "origins": [job.origins[f] for f in job.sources], "facts": facts, "keys": keys.keys, "pages": records,
        "outputs": sorted(outputs), "frames": frames, "search": search, "attachments": signatures,
        "history": moment.history, "standing": moment.standing,
        **_records_part(job, {job.catalog.files[rid]: r for rid, r in job.catalog.records.items()})}, storable,
        old_outputs if old is not None else None, outputs, fresh)
    return Published(audience, target_path, len(pages), time.perf_counter() - started, peak_mb(),
                     written=sum(1 for p in pages if p.in_mkdocs or _rel(p.context.path) in fresh), full=True)


def _made_already(facts: Facts) -> Record:
    raise AssertionError(f"{facts.file}: every record of a whole build is made")


def _search(docs: list[Entry], old, old_outputs: set[str], stage: Stage) -> tuple[object, set[str], list[str]]:
    """The search index of `docs`: the published one patched where the documents are the same
    pages in the same order, else written anew. Returns its state, the published files it kept
    (hard-linked, with their `.gz`) and the files it wrote (not yet compressed)."""
    published, target = stage.published, stage.target
    if old is not None and [e.doc.url for e in docs] == [e.doc.url for e in old.entries]:
        changed = {n: e for n, e in enumerate(docs) if e != old.entries[n]}
        files = [rel for rel in old_outputs if rel.startswith("search/") and not rel.endswith(".gz")]
        stage.keep(files)
        written: list[str] = []

        def write(path: Path, data: bytes) -> None:
            replace(path, data)
            written.append(path.relative_to(target).as_posix())
        state = patch(old, changed, published / "search", target / "search", write) if changed else old
        if state is not None:
            fresh = set(written)
            kept = {rel for rel in files if rel not in fresh}
            gz = {rel + ".gz" for rel in kept if rel + ".gz" in old_outputs}
            stage.keep(gz)
            return state, kept | gz, written
    # a recycled stage holds the last build's index, hard links into the published site: unlinked
    # here, never written through, and none left behind that the new index does not have
    shutil.rmtree(target / "search", ignore_errors=True)
    index = SearchIndex()
    index.entries = list(docs)
    state = index.write(target / "search")
    return state, set(), [f"search/{rel}" for rel in files_under(target / "search")]


def _search_and_compress(docs: list[Entry], old_search, old_outputs: set[str], stage: Stage, written: list[str],
                         kept: set[str], audience: str) -> tuple[object, set[str], set[str]]:
    """The search index (_search), then `.gz` for the public site's written files. Returns the
    index's state, every file of the new site and the files written in this build."""
    state, search_kept, search_written = _search(docs, old_search, old_outputs, stage)
    written = written + search_written
    fresh = set(written)
    if audience == "public":
        fresh |= _precompressed(stage.target, stage.published, written)
    return state, kept | search_kept | fresh, fresh


# --- pages only ----------------------------------------------------------------------------

def _pages_only(job: Job) -> Published:
    started = time.perf_counter()
    audience, old = job.audience, job.store
    keep = None if audience == "internal" else public_ids(job.origins.values())
    yellow = old.meta["yellow"]
    facts: list[Facts] = list(old["facts"])
    at = {f.file: i for i, f in enumerate(facts)}
    models: list[Record | None] = [None] * len(facts)
    for file, written_record in job.changed.items():
        i = at.get(file)
        if i is None:               # not in this view
            continue
        shown = written_record if keep is None else project(written_record, keep)
        status = problem_status(shown.history, shown.deadline, job.as_of, yellow) \
            if shown.type_name == "problem" else None
        facts[i] = facts_of(file, job.sources[file].hash, written_record, shown, keep, status,
                            agg=job.origins[file].agg)
        models[i] = shown

    def make(f: Facts) -> Record:
        written_record = read_records({f.file: job.sources[f.file]})[f.file]
        return written_record if keep is None else project(written_record, keep)

    book = Book(job.as_of, audience, facts, models, make, yellow)
    page_view = _view_of(audience, book, job.history, old.meta["latest"])
    site = Site.of(page_view)
    tracked_site = TrackedSite(site, book)
    renderer = Renderer(TEMPLATES, page_view, site, standing=old["standing"])
    frames: Frames = old["frames"]
    keys = Keys(old["keys"])
    # the pipeline chose this way because the data date, the last change and the rankings are the last build's
    before = Moment(old.meta["as_of"], yellow, old.meta["latest"], old["history"], old["standing"])
    moment = Moment(job.as_of, yellow, old.meta["latest"], history_digests(page_view.history), old["standing"])
    changed = keys.known(changed_keys(old["facts"], facts, before, moment, structure=False))
    records: dict[str, tuple] = dict(old["pages"])
    dirty = [path for path, (_spec, deps) in records.items() if touches(deps, changed)]
    old_outputs = set(old["outputs"])
    rewritten = {_rel(p) for p in dirty}
    kept = {r for r in old_outputs - rewritten - {r + ".gz" for r in rewritten} if not r.startswith("search/")}
    container, stage = _stage(job, old_outputs)
    target = stage.target
    old_search = old["search"]
    position = {e.doc.url: n for n, e in enumerate(old_search.entries)}
    docs = list(old_search.entries)
    written: list[str] = []
    renders: list[tuple[str, bytes]] = []
    for path in dirty:
        spec, _deps = records[path]
        page = page_of(spec, book, tracked_site)
        data, tracker, body = _render(page, renderer, book, frames, site)
        renders.append((_rel(path), data))
        records[path] = (spec, keys.numbers(tracker.keys))
        if page.context.record is not None:
            made = entry(page_url(path), page.context.title, body)
            docs[position[made.doc.url]] = made
    signatures, copied = _attachments(facts, job.records, target, not page_view.shows.original_evidence, old["attachments"],
                                      set(), old_outputs)
    kept -= set(copied) | {rel + ".gz" for rel in copied}
    stage.keep(kept)
    for rel, data in renders:
        replace(target / rel, data)
        written.append(rel)
    written += copied
    state, outputs, fresh = _search_and_compress(docs, old_search, old_outputs, stage, written, kept, audience)
    listed = sorted(outputs)
    # the parts that did not change are kept as they were stored, not pickled again
    target_path = _finish(job, container, stage, _meta(job, site, book, old.meta["pages"], moment.latest), {
        "origins": [job.origins[f] for f in job.sources], "facts": facts,
        "keys": old.raw("keys") if len(keys.keys) == len(old["keys"]) else keys.keys, "pages": records,
        "outputs": old.raw("outputs") if listed == old["outputs"] else listed, "frames": old.raw("frames"),
        "search": state, "attachments": old.raw("attachments") if signatures == old["attachments"] else signatures,
        "history": old.raw("history") if moment.history == old["history"] else moment.history,
        "standing": old.raw("standing"), **_records_part(job, job.changed)}, True, old_outputs, outputs, fresh)
    return Published(audience, target_path, old.meta["pages"], time.perf_counter() - started, peak_mb(),
                     written=len(dirty), full=False)
