"""The stages run in order; each takes the previous stage's output."""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .site.publish import Built, build_site
from .validate.check import Checked
from .catalog.git_history import read_history
from .catalog.catalog import Catalog, build_index
from .site.context import Site
from .validate import validate as _validate


def validate(records: Path, as_of: dt.date) -> Checked:
    """load → check → locate; findings located and sorted, with the valid records (no cache:
    the records themselves are not kept in it)."""
    return _validate(records, as_of, keep_records=True)


def internal_catalog(checked: Checked) -> Catalog:
    """index: the valid records of a checked tree, for staff (views are derived from it)."""
    return build_index([(v.file, v.record) for v in checked.valid], checked.as_of, "internal")


def _site_for(catalog: Catalog, audience: str) -> Site:
    campaign = catalog.campaign
    return Site(name=campaign.name if campaign else "创建全国文明城市工作台账",
                city=campaign.city if campaign else "", audience=audience, as_of=catalog.as_of,
                illustrative=bool(campaign and campaign.illustrative),
                icp=campaign.icp if campaign else None)


def build(records: Path, as_of: dt.date, audiences: tuple[str, ...], out: Path,
          work: Path) -> tuple[Checked, list[Built]]:
    """validate → index → per audience: view → render → MkDocs → publish. Nothing is written
    to `out` when the records have errors."""
    checked = validate(records, as_of)
    if not checked.ok:
        return checked, []
    catalog = internal_catalog(checked)
    history = read_history(records)
    jobs = [(catalog, _site_for, records, out, work, audience, history) for audience in audiences]
    if len(jobs) == 1 or (os.cpu_count() or 1) == 1 or "fork" not in mp.get_all_start_methods():
        return checked, [build_site(*job) for job in jobs]
    # The two sites share nothing but the catalog: build them side by side. Forked workers
    # inherit the catalog instead of receiving a pickled copy of it.
    global _JOBS
    _JOBS = jobs
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=mp.get_context("fork"),
                             initializer=_die_with_parent) as pool:
        built = list(pool.map(_build_job, range(len(jobs))))
    _JOBS = []
    return checked, built


_JOBS: list = []


def _die_with_parent() -> None:
    """A killed build must not leave a worker behind that publishes later (Linux only)."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _build_job(index: int) -> Built:
    return build_site(*_JOBS[index])
