"""Static SVG charts, drawn at build time and put inline in the page: no script, no request to
another host, colours from the theme's CSS variables so light and dark mode both read well.
Every chart is paired with its data as a table in the template; the figure has a visible
caption that names the chart for screen readers, and points to that table.

Each chart is drawn twice and CSS shows one (site_templates/assets/taizhang.css): a wide drawing
(labels beside the bars, legend beside the lines) and a narrow one for phones (labels above the
bars, legend below the lines), 360 units wide so that its text, drawn at 13 units, stays at least
11 px on a 360 px phone. Labels are never cut: the wide drawing's label area is as wide as the
longest label (up to a limit beyond which labels wrap onto more lines)."""
from __future__ import annotations

import math
import re
import unicodedata
from html import escape

from markupsafe import Markup

_FONT = 12              # wide drawings, _WIDE units wide: about 13 px in a desktop article
_WIDE = 600
_NARROW = 360           # narrow drawings: viewBox width
_NARROW_FONT = 13
_LABEL_MAX = 20         # wide bar charts: labels wider than this many font sizes wrap


def text_width(text: str, size: float) -> float:
    """Estimated advance width of `text` at font size `size`: CJK and fullwidth characters are
    one em, others about 0.6 em (digits, Latin letters, punctuation in the UI fonts)."""
    return size * sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def wrap(text: str, width: float, size: float) -> list[str]:
    """`text` in lines no wider than `width` (Chinese breaks between any two characters; a line
    ends after a full-width punctuation mark rather than before it)."""
    lines, line = [], ""
    for char in text:
        if line and text_width(line + char, size) > width and char not in "，。、）》”；：":
            lines.append(line)
            line = char
        else:
            line += char
    return lines + [line] if line else lines or [""]


def month_label(label: str) -> str:
    """"2017-04" → "2017年4月" (other labels unchanged)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", label)
    return f"{match[1]}年{int(match[2])}月" if match else label


def _text(x: float, y: float, text: str, size: int, anchor: str = "start") -> str:
    anchor_attr = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return (f'<text x="{x:g}" y="{y:g}"{anchor_attr} font-size="{size}" fill="currentColor">'
            f'{escape(text)}</text>')


def _svg(css: str, width: int, height: int, table_id: str, body: list[str]) -> str:
    return (f'<svg class="{css}" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-labelledby="{table_id}-t" aria-describedby="{table_id}" xmlns="http://www.w3.org/2000/svg">'
            f'{"".join(body)}</svg>')


def _figure(title: str, table_id: str, wide: str, narrow: str) -> Markup:
    return Markup(f'<figure class="tz-chart"><figcaption id="{table_id}-t">{escape(title)}（数据见下表）</figcaption>'
                  f'{wide}{narrow}</figure>')


def _value_text(value: float, unit: str, label: str, highlight: set[str], note: str) -> str:
    return f"{value:g}{unit}" + (f"（{note}）" if label in highlight and note else "")


def bar_chart(rows: list[tuple[str, float | None]], title: str, table_id: str, *, maximum: float | None = None,
              unit: str = "", highlight: set[str] = frozenset(), note: str = "") -> Markup:
    """Horizontal bars, one row per label (e.g. districts by rectification rate). Bars of labels
    in `highlight` are drawn darker and their value says `note` (colour is never the only sign)."""
    values = [v for _, v in rows if v is not None]
    top = maximum or (max(values) if values else 1) or 1
    values_text = [_value_text(v, unit, label, highlight, note) for label, v in rows if v is not None]
    return _figure(title, table_id, _bars_wide(rows, top, unit, highlight, note, values_text, table_id),
                   _bars_narrow(rows, top, unit, highlight, note, values_text, table_id))


def _bars_wide(rows, top, unit, highlight, note, values_text, table_id) -> str:
    size = _FONT
    longest = max((text_width(label, size) for label, _ in rows), default=0)
    label_w = min(longest, _LABEL_MAX * size) + 10
    value_w = max((text_width(t, size) for t in values_text), default=0) + 8
    bar_w, line_h = max(200, _WIDE - label_w - value_w), size + 3
    body, y = [], 5
    for label, value in rows:
        lines = wrap(label, label_w - 10, size)
        row_h = max(20, len(lines) * line_h + 5)
        first = y + row_h / 2 - (len(lines) - 1) * line_h / 2 + 4
        body += [_text(label_w - 6, first + i * line_h, line, size, "end") for i, line in enumerate(lines)]
        if value is None:
            body.append(_text(label_w + 4, y + row_h / 2 + 4, "—", size))
        else:
            width = max(1, round(bar_w * value / top))
            css = "tz-bar tz-bar--hi" if label in highlight else "tz-bar"
            body.append(f'<rect class="{css}" x="{label_w:g}" y="{y + row_h / 2 - 7:g}" width="{width}" height="14"/>')
            body.append(_text(label_w + width + 4, y + row_h / 2 + 4, _value_text(value, unit, label, highlight, note), size))
        y += row_h
    return _svg("tz-svg--wide", math.ceil(label_w + bar_w + value_w), math.ceil(y + 5), table_id, body)


def _bars_narrow(rows, top, unit, highlight, note, values_text, table_id) -> str:
    size, width = _NARROW_FONT, _NARROW
    value_w = max((text_width(t, size) for t in values_text), default=0) + 6
    bar_w = width - value_w
    line_h = size + 5
    body, y = [], 0
    for label, value in rows:
        lines = wrap(label, width, size)
        body += [_text(0, y + size + 2 + i * line_h, line, size) for i, line in enumerate(lines)]
        y += len(lines) * line_h
        if value is None:
            body.append(_text(0, y + 11, "—", size))
        else:
            bar = max(1, round(bar_w * value / top))
            css = "tz-bar tz-bar--hi" if label in highlight else "tz-bar"
            body.append(f'<rect class="{css}" x="0" y="{y:g}" width="{bar}" height="12"/>')
            body.append(_text(bar + 4, y + 11, _value_text(value, unit, label, highlight, note), size))
        y += 20
    return _svg("tz-svg--narrow", width, math.ceil(y), table_id, body)


def line_chart(labels: list[str], series: list[tuple[str, list[int]]], title: str, table_id: str) -> Markup:
    """Lines over time (e.g. problems opened, closed and backlog per month). Month labels
    ("2017-04") are shown in Chinese ("2017年4月"), as everywhere else on the site."""
    labels = [month_label(label) for label in labels]
    return _figure(title, table_id, _lines(labels, series, table_id, narrow=False),
                   _lines(labels, series, table_id, narrow=True))


def _lines(labels: list[str], series: list[tuple[str, list[int]]], table_id: str, *, narrow: bool) -> str:
    size = _NARROW_FONT if narrow else _FONT
    top = max([v for _, values in series for v in values] + [1])
    top_label = f"{top:,}"
    label_w = max((text_width(label, size) for label in labels), default=0)
    left = math.ceil(max(text_width(top_label, size) + 8, label_w / 2 + 2))
    if narrow:      # legend below the plot, in one row
        width, top_pad, plot_h = _NARROW, 12, 150
        plot_w = width - left - label_w / 2 - 2
        legend_y = top_pad + plot_h + 2 * size + 18
        height = legend_y + 6
    else:           # legend to the right of the plot
        width, top_pad, plot_h = _WIDE, 20, 180
        legend_w = max((text_width(name, size) for name, _ in series), default=0) + 30
        plot_w = width - left - max(label_w / 2, legend_w + 10)
        height = top_pad + plot_h + size + 16
    base = top_pad + plot_h
    step = plot_w / max(1, len(labels) - 1)
    every = max(1, math.ceil((label_w + size) / step)) if len(labels) > 1 else 1
    body = [f'<line class="tz-axis" x1="{left}" y1="{base}" x2="{left + plot_w:.1f}" y2="{base}"/>',
            _text(left - 4, top_pad + 4, top_label, size, "end"),
            _text(left - 4, base, "0", size, "end")]
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(_text(round(left + i * step, 1), base + size + 6, label, size, "middle"))
    x = 0.0
    for n, (name, values) in enumerate(series):
        points = " ".join(f"{left + i * step:.1f},{base - plot_h * v / top:.1f}" for i, v in enumerate(values))
        body.append(f'<polyline class="tz-line tz-line--{n}" fill="none" points="{points}"/>')
        if narrow:
            sx, sy = x, legend_y
            x += 18 + text_width(name, size) + 16
        else:
            sx, sy = left + plot_w + 12, top_pad + n * 20
        body.append(f'<rect class="tz-swatch tz-line--{n}" x="{sx:g}" y="{sy - 4:g}" width="12" height="4"/>')
        body.append(_text(sx + 18, sy + 1, name, size))
    css = "tz-svg--narrow" if narrow else "tz-svg--wide"
    return _svg(css, width, math.ceil(height), table_id, body)
