"""Objective charts: the one piece of code that draws them, as inline SVG on the server.

Pages and WeasyPrint PDFs use the same markup, so it carries everything it needs: presentation
attributes instead of stylesheets, no fonts, no scripts, no external references (the PDF
renderer's fetcher refuses every address but our own static files, and a chart asks for none).

Readable without colour: each series has its own marker shape AND dash pattern AND a label
written beside its last value; the baseline and target are labelled reference lines. Each
marker has a <title> (a native tooltip; static/js/chart-hover.js adds a nicer one on pages).
The text alternative is the SVG's <title>/<desc> and a visually hidden table of every value,
so a screen reader (or a copy from the PDF) gets the numbers, not a picture of them.
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass
from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe

# Text colour and palette: dark enough for 4.5:1 against white; colour is never the only cue.
INK = "#1d2330"
MUTED = "#5b6473"
GRID = "#e3e6ea"
REFERENCE = "#5b6473"
PALETTE = ("#1f5f8b", "#a04b00", "#1a7f37", "#6a1b9a", "#8a1c1c")
DASHES = ("", "7 4", "2 3", "10 3 2 3", "4 2 1 2")
SHAPES = ("circle", "square", "triangle", "diamond", "cross")
MISSING = "not rated"

LABEL_CHARS = 13  # what fits the right margin at either size
HEADING_CHARS = 54  # what fits the full chart's width in bold at its heading size
BASELINE_DASH = "5 3"
TARGET_DASH = ""

_ids = itertools.count(1)


@dataclass(frozen=True)
class _Label:
    y: float
    text: str
    colour: str
    dash: str
    reference: bool


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int
    marker: float

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom


FULL = _Frame(width=520, height=260, left=34, right=112, top=34, bottom=30, font=12, marker=4.5)
COMPACT = _Frame(width=360, height=180, left=28, right=100, top=12, bottom=24, font=11, marker=3.5)


def format_value(value: float | None) -> str:
    """A score as people write it: 6, 6.5, 6.33 → 6.3; None as "not rated"."""
    if value is None:
        return MISSING
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def objective_chart(
    *,
    title: str,
    baseline: int,
    target: int | None,
    labels: list[str],
    series: dict[str, list[float | None]],
    scale: tuple[int, int] = (1, 10),
    compact: bool = False,
) -> SafeString:
    """An objective's scores over its points, one line per series (rater), against baseline and target.

    `labels` are the x positions ("Baseline", "Mid-point", "End-point"); `series` maps a name
    ("Coachee", "Coach", "Sponsor", "Score") to one value per label, None where missing.
    Returns a <figure> holding the SVG and its text alternative, safe to put in a template.
    """
    frame = COMPACT if compact else FULL
    low, high = scale
    if high <= low:
        raise ValueError("The scale's top must be above its bottom.")
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"Series {name!r} has {len(values)} values for {len(labels)} labels.")

    chart_id = f"objective-chart-{next(_ids)}"

    def y_of(value: float) -> float:
        value = min(max(float(value), low), high)
        span = frame.plot_bottom - frame.top
        return round(frame.plot_bottom - (value - low) / (high - low) * span, 1)

    def x_of(index: int) -> float:
        if len(labels) <= 1:
            return round((frame.left + frame.plot_right) / 2, 1)
        inset = 18
        span = frame.plot_right - frame.left - 2 * inset
        return round(frame.left + inset + index * span / (len(labels) - 1), 1)

    parts: list[str] = [_grid(frame, low, high), _x_labels(frame, labels, x_of)]
    # Labels at the right edge: the reference lines' and each series' (at its last value).
    end_labels: list[_Label] = [_Label(y_of(baseline), f"Baseline {format_value(baseline)}", REFERENCE, BASELINE_DASH, True)]
    parts.append(_reference(frame, y_of(baseline), dash=BASELINE_DASH))
    if target is not None:
        parts.append(_reference(frame, y_of(target), dash=TARGET_DASH))
        end_labels.append(_Label(y_of(target), f"Target {format_value(target)}", REFERENCE, TARGET_DASH, True))

    count = len(series)
    for index, (name, values) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        dash = DASHES[index % len(DASHES)]
        shape = SHAPES[index % len(SHAPES)]
        # Raters who gave the same score at the same point: nudge sideways so every marker shows.
        nudge = (index - (count - 1) / 2) * (frame.marker * 1.8)
        points = [
            (round(x_of(i) + nudge, 1), y_of(v), label, v)
            for i, (label, v) in enumerate(zip(labels, values))
            if v is not None
        ]
        parts.append(_series_lines(values, x_of, y_of, nudge, colour, dash))
        for x, y, label, value in points:
            parts.append(_marker(shape, x, y, frame.marker, colour, f"{name}, {label}: {format_value(value)}"))
        if points:
            end_labels.append(_Label(points[-1][1], name, colour, dash, False))

    parts.append(_direct_labels(frame, end_labels))

    description = describe(baseline=baseline, target=target, labels=labels, series=series, scale=scale)
    # The heading is cut to the chart's width (the full title is in <title> and the table).
    heading = "" if compact else (
        f'<text x="{frame.left}" y="18" font-size="{frame.font + 2}" font-weight="bold" fill="{INK}">'
        f'{_e(_short(title, HEADING_CHARS))}</text>'
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="sans-serif" font-size="{frame.font}" class="objective-chart__svg">'
        f'<title id="{chart_id}-title">{_e(title)}</title><desc id="{chart_id}-desc">{_e(description)}</desc>'
        f'{heading}{"".join(parts)}</svg>'
    )
    table = _data_table(title=title, baseline=baseline, target=target, labels=labels, series=series)
    compact_class = " objective-chart--compact" if compact else ""
    # Every piece of text above went through _e(); numbers and our own constants need no escaping.
    return mark_safe(f'<figure class="objective-chart{compact_class}" data-chart="objective">{svg}{table}</figure>')


def describe(
    *, baseline: int, target: int | None, labels: list[str], series: dict[str, list[float | None]],
    scale: tuple[int, int] = (1, 10),
) -> str:
    """The chart in one plain sentence per series (the SVG's <desc>); not escaped yet."""
    sentences = [
        f"Scale {scale[0]} to {scale[1]}. Baseline {format_value(baseline)}; "
        + (f"target {format_value(target)}." if target is not None else "no target set.")
    ]
    for name, values in series.items():
        readings = ", ".join(f"{label} {format_value(value)}" for label, value in zip(labels, values))
        sentences.append(f"{name}: {readings}.")
    return " ".join(sentences)


def _e(text) -> str:
    """Text for markup: &, <, >, " and ' escaped (as Django's escape does)."""
    return html.escape(str(text), quote=True)


def _dash(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


@lru_cache(maxsize=16)
def _grid(frame: _Frame, low: int, high: int) -> str:
    """The horizontal grid lines and the scale's numbers (the same for every chart of a size)."""
    step = 1 if high - low <= 10 else max(1, (high - low) // 5)
    ticks = list(range(low, high + 1, step))
    if ticks[-1] != high:
        ticks.append(high)
    span = frame.plot_bottom - frame.top
    lines = []
    for tick in ticks:
        y = round(frame.plot_bottom - (tick - low) / (high - low) * span, 1)
        lines.append(
            f'<line x1="{frame.left}" y1="{y}" x2="{frame.plot_right}" y2="{y}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{frame.left - 6}" y="{y + 4}" text-anchor="end" fill="{MUTED}" font-size="{frame.font - 1}">{tick}</text>'
        )
    axis = (
        f'<line x1="{frame.left}" y1="{frame.top}" x2="{frame.left}" y2="{frame.plot_bottom}" stroke="{MUTED}" stroke-width="1"/>'
        f'<line x1="{frame.left}" y1="{frame.plot_bottom}" x2="{frame.plot_right}" y2="{frame.plot_bottom}" stroke="{MUTED}" stroke-width="1"/>'
    )
    return f'<g aria-hidden="true">{"".join(lines)}{axis}</g>'


def _x_labels(frame: _Frame, labels: list[str], x_of) -> str:
    texts = "".join(
        f'<text x="{x_of(i)}" y="{frame.height - 8}" text-anchor="middle" fill="{INK}">{_e(label)}</text>'
        for i, label in enumerate(labels)
    )
    return f'<g aria-hidden="true">{texts}</g>'


def _reference(frame: _Frame, y: float, *, dash: str) -> str:
    return (
        f'<line class="objective-chart__reference" x1="{frame.left}" y1="{y}" x2="{frame.plot_right}" y2="{y}" '
        f'stroke="{REFERENCE}" stroke-width="1.5"{_dash(dash)} aria-hidden="true"/>'
    )


def _series_lines(values, x_of, y_of, nudge, colour: str, dash: str) -> str:
    """One polyline per run of consecutive values: a missing value breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((round(x_of(i) + nudge, 1), y_of(value)))
    return "".join(
        f'<polyline points="{" ".join(f"{x},{y}" for x, y in run)}" fill="none" stroke="{colour}" '
        f'stroke-width="2"{_dash(dash)} aria-hidden="true"/>'
        for run in runs
        if len(run) > 1
    )


def _marker(shape: str, x: float, y: float, r: float, colour: str, tip: str) -> str:
    if shape == "circle":
        body = f'<circle cx="{x}" cy="{y}" r="{r}" fill="{colour}"/>'
    elif shape == "square":
        body = f'<rect x="{round(x - r, 1)}" y="{round(y - r, 1)}" width="{2 * r}" height="{2 * r}" fill="{colour}"/>'
    elif shape == "triangle":
        body = (
            f'<polygon points="{x},{round(y - r * 1.2, 1)} {round(x - r * 1.2, 1)},{round(y + r, 1)} '
            f'{round(x + r * 1.2, 1)},{round(y + r, 1)}" fill="{colour}"/>'
        )
    elif shape == "diamond":
        d = round(r * 1.3, 1)
        body = (
            f'<polygon points="{x},{round(y - d, 1)} {round(x + d, 1)},{y} {x},{round(y + d, 1)} {round(x - d, 1)},{y}" '
            f'fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
        )
    else:
        a, b, c, e = round(x - r, 1), round(y - r, 1), round(x + r, 1), round(y + r, 1)
        body = f'<path d="M{a} {b}L{c} {e}M{a} {e}L{c} {b}" stroke="{colour}" stroke-width="2.5"/>'
    tip = _e(tip)
    return f'<g class="objective-chart__point" data-tip="{tip}"><title>{tip}</title>{body}</g>'


def _direct_labels(frame: _Frame, labels: list[_Label]) -> str:
    """Each label beside the right edge at its line's height, with a sample of the line's dash,
    spread apart so none overlap."""
    gap = frame.font + 2
    ordered = sorted(labels, key=lambda label: label.y)
    placed: list[float] = []
    for label in ordered:
        placed.append(max(label.y + 4, placed[-1] + gap) if placed else label.y + 4)
    # Pushed off the bottom: shift the stack back up.
    overflow = placed[-1] - (frame.plot_bottom + 4)
    if overflow > 0:
        placed = [p - overflow for p in placed]
    x = frame.plot_right + 6
    return '<g class="objective-chart__labels">' + "".join(
        f'<line x1="{x}" y1="{round(y - 4, 1)}" x2="{x + 14}" y2="{round(y - 4, 1)}" stroke="{label.colour}" '
        f'stroke-width="{1.5 if label.reference else 2}"{_dash(label.dash)} aria-hidden="true"/>'
        f'<text class="{"objective-chart__label--reference" if label.reference else "objective-chart__label"}" '
        f'x="{x + 18}" y="{round(y, 1)}" fill="{MUTED if label.reference else INK}">{_e(_short(label.text))}</text>'
        for label, y in zip(ordered, placed)
    ) + "</g>"


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    """A direct label that fits the margin (the full name is in the table and the <desc>)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _data_table(*, title: str, baseline: int, target: int | None, labels: list[str], series) -> str:
    head = "".join(f'<th scope="col">{_e(label)}</th>' for label in labels)
    rows = "".join(
        f'<tr><th scope="row">{_e(name)}</th>{"".join(f"<td>{format_value(v)}</td>" for v in values)}</tr>'
        for name, values in series.items()
    )
    target_text = format_value(target) if target is not None else "none set"
    return (
        f'<div class="visually-hidden objective-chart__data"><table>'
        f"<caption>{_e(title)} (baseline {format_value(baseline)}, target {target_text})</caption>"
        f'<thead><tr><th scope="col">Rater</th>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
    )
