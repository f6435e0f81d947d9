"""Inline SVG stacked bar chart of the states per section (no JS, no network).

Coordinates are written with ``_num`` (fixed one decimal, '.' separator), so the
SVG bytes never depend on the locale or the float repr. Every text is escaped;
the state colours repeat those of ``reports/css/report.css`` (.state-*).

>>> from vmes_audit.base.findings import State
>>> svg = stacked_bars([("A", "Env. <Windows>", {State.PASS: 3, State.FAIL: 1})])
>>> svg.startswith("<svg") and "Env. &lt;Windows&gt;" in svg
True
"""

from __future__ import annotations

from markupsafe import Markup, escape

from vmes_audit.base.findings import STATE_LABELS, State

from vmes_audit.report.view import STATE_ORDER

STATE_COLOURS = {
    State.FAIL: "#c62828",
    State.UNKNOWN: "#6a1b9a",
    State.WARN: "#ef9a00",
    State.MANUAL: "#1565c0",
    State.WAIVED: "#00838f",
    State.PASS: "#2e7d32",
    State.NA: "#9e9e9e",
}
# Text drawn on a segment: dark on the light amber and grey, white elsewhere.
TEXT_ON = {State.WARN: "#1a1a1a", State.NA: "#1a1a1a"}

WIDTH = 640.0
LABEL_W = 270.0
TOTAL_W = 36.0
ROW_H = 22.0
BAR_H = 15.0
LEGEND_H = 26.0
MAX_LABEL = 50  # characters of a section title before "…"


def _num(value: float) -> str:
    """
    >>> _num(12.0), _num(3.14159), _num(-0.04)
    ('12', '3.1', '0')
    """
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _label(letter: str, title: str) -> str:
    text = f"{letter}. {title}" if letter else title
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def stacked_bars(rows: list[tuple[str, str, dict[State, int]]]) -> Markup:
    """One bar per (letter, title, counts) row, scaled to the largest total."""
    biggest = max((sum(counts.values()) for _, _, counts in rows), default=0) or 1
    bar_w = WIDTH - LABEL_W - TOTAL_W
    height = ROW_H * len(rows) + LEGEND_H + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {_num(WIDTH)} {_num(height)}" width="100%" '
        f'font-family="VMES Sans, DejaVu Sans, sans-serif" font-size="9">',
        "<title>Répartition des états par section</title>",
    ]
    for i, (letter, title, counts) in enumerate(rows):
        y = i * ROW_H + 4
        text_y = _num(y + BAR_H / 2 + 3.5)
        full = _label(letter, title)
        parts.append(f'<text x="0" y="{text_y}" fill="#1a1a1a">{escape(full)}</text>')
        x = LABEL_W
        for state in STATE_ORDER:
            n = counts.get(state, 0)
            if not n:
                continue
            w = bar_w * n / biggest
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(BAR_H)}" '
                f'fill="{STATE_COLOURS[state]}"><title>{escape(STATE_LABELS[state])}\u00a0: {n}'
                f"</title></rect>")
            if w >= 14:
                parts.append(
                    f'<text x="{_num(x + w / 2)}" y="{text_y}" text-anchor="middle" '
                    f'fill="{TEXT_ON.get(state, "#ffffff")}" font-size="9">{n}</text>')
            x += w
        total = sum(counts.values())
        parts.append(f'<text x="{_num(x + 5)}" y="{text_y}" fill="#555555">{total}</text>')
    # Legend: colour square + French label, on one line.
    y = len(rows) * ROW_H + 14
    x = 0.0
    for state in STATE_ORDER:
        label = STATE_LABELS[state]
        parts.append(f'<rect x="{_num(x)}" y="{_num(y - 8)}" width="9" height="9" '
                     f'fill="{STATE_COLOURS[state]}"/>')
        parts.append(f'<text x="{_num(x + 13)}" y="{_num(y)}" font-size="9" fill="#1a1a1a">'
                     f"{escape(label)}</text>")
        x += WIDTH / len(STATE_ORDER)  # equal slots: the longest label is ~75 units
    parts.append("</svg>")
    return Markup("\n".join(parts))
