"""Static SVG charts, drawn at build time and put inline in the page: no script, no request to
another host, colours from the theme's CSS variables so light and dark mode both read well.
Every chart is paired with its data as a table in the template; the SVG is labelled for
screen readers and points to that table."""
from __future__ import annotations

from html import escape

from markupsafe import Markup

_FONT = 12


def _svg(width: int, height: int, title: str, table_id: str, body: list[str]) -> Markup:
    return Markup(
        f'<figure class="tz-chart"><svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{table_id}-t" aria-describedby="{table_id}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{table_id}-t">{escape(title)}（数据见下表）</title>{"".join(body)}</svg></figure>')


def bar_chart(rows: list[tuple[str, float | None]], title: str, table_id: str, *, maximum: float | None = None,
              unit: str = "", highlight: set[str] = frozenset()) -> Markup:
    """Horizontal bars, one row per label (e.g. districts by rectification rate)."""
    values = [v for _, v in rows if v is not None]
    top = maximum or (max(values) if values else 1) or 1
    label_w, bar_w, row_h = 150, 380, 20
    height = row_h * len(rows) + 10
    body = []
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        body.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="{_FONT}" '
                    f'fill="currentColor">{escape(label)}</text>')
        if value is None:
            continue
        width = max(1, round(bar_w * value / top))
        css = "tz-bar tz-bar--hi" if label in highlight else "tz-bar"
        body.append(f'<rect class="{css}" x="{label_w}" y="{y + 3}" width="{width}" height="{row_h - 6}"/>')
        body.append(f'<text x="{label_w + width + 4}" y="{y + 14}" font-size="{_FONT}" '
                    f'fill="currentColor">{value:g}{escape(unit)}</text>')
    return _svg(label_w + bar_w + 70, height, title, table_id, body)


def line_chart(labels: list[str], series: list[tuple[str, list[int]]], title: str, table_id: str) -> Markup:
    """Lines over time (e.g. problems opened, closed and backlog per month)."""
    width, height, left, bottom, top_pad = 640, 240, 40, 40, 20
    plot_w, plot_h = width - left - 110, height - bottom - top_pad
    top = max([v for _, values in series for v in values] + [1])
    step = plot_w / max(1, len(labels) - 1)
    body = [f'<line class="tz-axis" x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}"/>',
            f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end" font-size="{_FONT}" fill="currentColor">{top}</text>',
            f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end" font-size="{_FONT}" fill="currentColor">0</text>']
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(f'<text x="{left + i * step:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                        f'font-size="{_FONT}" fill="currentColor">{escape(label)}</text>')
    for n, (name, values) in enumerate(series):
        points = " ".join(f"{left + i * step:.1f},{top_pad + plot_h - plot_h * v / top:.1f}"
                          for i, v in enumerate(values))
        body.append(f'<polyline class="tz-line tz-line--{n}" fill="none" points="{points}"/>')
        body.append(f'<rect class="tz-swatch tz-line--{n}" x="{left + plot_w + 12}" y="{top_pad + n * 20}" '
                    f'width="12" height="4"/>')
        body.append(f'<text x="{left + plot_w + 30}" y="{top_pad + n * 20 + 6}" font-size="{_FONT}" '
                    f'fill="currentColor">{escape(name)}</text>')
    return _svg(width, height, title, table_id, body)
