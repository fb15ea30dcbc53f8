"""What dashboards, open data and the feed add to a build.

    .venv/bin/python bench/dashboards.py [--problems N | --records DIR] [--as-of DATE]

Times, for the public view: computing the dashboards, writing open data (CSV, JSON, XLSX) and the
Atom feed, and rendering the dashboard pages. MkDocs then handles six more pages, which costs
milliseconds. Prints one Markdown table row and records it in bench/results.json and README.md
(bench/results.py): keyed by the number of problems, or `examples` for --records records.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.catalog.view import view  # noqa: E402
from generator.pipeline import internal_catalog  # noqa: E402
from generator.site.context import Site  # noqa: E402
from generator.site.dashboards import compute  # noqa: E402
from generator.site.opendata import atom_feed, write_open_data  # noqa: E402
from generator.site.pages import DASHBOARDS, plan  # noqa: E402
from generator.site.publish import TEMPLATES  # noqa: E402
from generator.site.render import Renderer  # noqa: E402
from generator.synth.city import write_city  # noqa: E402
from generator.validate import validate  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results  # noqa: E402

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--problems", type=int, default=25_000)
    ap.add_argument("--records")
    ap.add_argument("--as-of")
    results.options(ap)
    args = ap.parse_args()
    env = results.environment()
    work = Path(tempfile.mkdtemp(prefix="taizhang-dash-"))
    if args.records:
        records = Path(args.records)
    else:
        write_city(work, args.problems, seed=1)
        records = work / "records"
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    checked = validate(records, as_of or dt.date(2099, 1, 1), keep_records=True)
    public = view(internal_catalog(checked), "public")
    site = Site.of(public)
    # the steps of publish.write_data, each timed
    t = time.perf_counter()
    dashboard = compute(public.catalog)
    t_compute = time.perf_counter() - t
    t = time.perf_counter()
    tables = write_open_data(public.catalog, dashboard, work / "docs")
    (work / "docs" / "feed.xml").write_text(atom_feed(public.catalog, site.name), "utf-8")
    t_data = time.perf_counter() - t
    t = time.perf_counter()
    renderer = Renderer(TEMPLATES, public, site)
    templates = {template for _, template, _ in DASHBOARDS}
    for page in plan(public, site, dashboard, tables):
        if page.template in templates:
            renderer.render(page.template, page.context)
    t_render = time.perf_counter() - t
    problems = len(public.catalog.of_type("problem"))
    print(f"| {problems:,} | {t_compute:.2f} s | {t_data:.2f} s | {t_render:.2f} s | "
          f"{t_compute + t_data + t_render:.2f} s |")
    examples = bool(args.records) and Path(args.records).resolve() == (Path(__file__).resolve().parents[1] / "records")
    results.record("dashboards", "examples" if examples else str(problems),
                   {"problems": problems, "examples": examples, "compute": round(t_compute, 3), "data": round(t_data, 3),
                    "render": round(t_render, 3)}, env=env, **results.destination(args))


if __name__ == "__main__":
    main()
