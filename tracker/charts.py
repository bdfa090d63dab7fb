"""Server-side SVG charts (bar, line, funnel), each carrying the data table shown beside it.

No JavaScript and no style attributes (the CSP forbids both inline): colours and fonts are SVG
presentation attributes. The SVG is decorative for screen readers (aria-hidden); the table next to
it carries the same figures, so every chart is readable without sight or without images.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from markupsafe import Markup, escape

PALETTE = ("#1d4e89", "#b35900", "#1f6f3a", "#7b3294", "#a4262c", "#4d5b6a")
INK, LINE, MUTED = "#1b1f24", "#d5dae1", "#55606e"
_ids = itertools.count(1)


@dataclass
class Chart:
    """An SVG drawing with the table of the figures it shows."""

    title: str
    svg: Markup
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    chart_id: str = ""


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{value:.0f}%"
    return f"{value:g}{unit}"


def _svg(width: int, height: int, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" class="chart-svg" aria-hidden="true" focusable="false" '
            f'font-family="system-ui, sans-serif" font-size="12">')
    # Every label went through escape() in _text; the rest is numbers we formatted.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def _text(x: float, y: float, label: object, anchor: str = "start", fill: str = INK, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f"{escape(str(label))}</text>")


def bar_chart(title: str, data: list[tuple[str, float | None]], *, unit: str = "%",
              max_value: float | None = None, value_label: str = "Value") -> Chart:
    """Horizontal bars, one per label (for example compliance by school)."""
    label_w, bar_w, row_h = 190, 300, 26
    top = max([v for _, v in data if v is not None] or [0])
    scale_max = max_value if max_value is not None else (top or 1)
    body = []
    for i, (label, value) in enumerate(data):
        y = 8 + i * row_h
        short = label if len(label) <= 28 else label[:27] + "…"
        body.append(_text(label_w - 8, y + 15, short, "end"))
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="16" fill="{LINE}"/>')
        width = 0 if value is None or scale_max == 0 else bar_w * min(value, scale_max) / scale_max
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="16" fill="{PALETTE[0]}"/>')
        body.append(_text(label_w + bar_w + 6, y + 15, _fmt(value, unit)))
    height = 16 + max(len(data), 1) * row_h
    rows = [[label, _fmt(value, unit)] for label, value in data]
    return Chart(title, _svg(label_w + bar_w + 60, height, body), ["", value_label], rows,
                 f"chart-{next(_ids)}")


def line_chart(title: str, x_labels: list[str], series: list[tuple[str, list[float | None]]], *,
               unit: str = "%", max_value: float | None = 100) -> Chart:
    """Lines over time (for example each school's compliance by day)."""
    left, top, plot_w, plot_h = 44, 12, 460, 160
    values = [v for _, vs in series for v in vs if v is not None]
    scale_max = max_value if max_value is not None else (max(values or [1]) or 1)
    n = max(len(x_labels), 1)
    step = plot_w / max(n - 1, 1)
    body = []
    for k in range(5):  # gridlines at 0, 25, 50, 75, 100 % of the scale
        y = top + plot_h - plot_h * k / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{LINE}"/>')
        body.append(_text(left - 6, y + 4, _fmt(scale_max * k / 4, unit), "end", MUTED))
    for idx in sorted({0, n - 1}):
        if x_labels:
            body.append(_text(left + idx * step, top + plot_h + 16, x_labels[idx], "middle", MUTED))
    for s, (_name, vs) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [(left + i * step, top + plot_h - plot_h * min(v, scale_max) / scale_max)
                  for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
    legend_y = top + plot_h + 34
    for s, (name, _) in enumerate(series[:6]):
        x = left + (s % 3) * 160
        y = legend_y + (s // 3) * 16
        body.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>')
        body.append(_text(x + 14, y, name if len(name) <= 22 else name[:21] + "…"))
    height = legend_y + 16 * ((min(len(series), 6) + 2) // 3) + 4
    rows = [[x, *[_fmt(vs[i] if i < len(vs) else None, unit) for _, vs in series]]
            for i, x in enumerate(x_labels)]
    return Chart(title, _svg(left + plot_w + 30, height, body), ["Day", *[n for n, _ in series]], rows,
                 f"chart-{next(_ids)}")


def funnel_chart(title: str, stages: list[tuple[str, int]]) -> Chart:
    """Centred bars narrowing stage by stage (for example the hiring funnel)."""
    width, row_h, label_w = 520, 30, 130
    top = max([n for _, n in stages] or [0]) or 1
    body = []
    for i, (label, n) in enumerate(stages):
        y = 6 + i * row_h
        w = max((width - label_w - 20) * n / top, 2 if n else 0)
        x = label_w + (width - label_w - 20 - w) / 2
        body.append(_text(label_w - 8, y + 17, label, "end"))
        body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="22" fill="{PALETTE[i % 2 * 2]}"/>')
        body.append(_text(label_w + (width - label_w - 20) / 2, y + 16, n, "middle", "#ffffff"
                          if n * 6 > top else INK, ' font-weight="bold"'))
    height = 12 + max(len(stages), 1) * row_h
    rows = [[label, str(n)] for label, n in stages]
    return Chart(title, _svg(width, height, body), ["Stage", "Candidates"], rows, f"chart-{next(_ids)}")
