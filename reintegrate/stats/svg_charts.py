"""Server-rendered SVG charts: retention step curves and grouped bar counts."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from .periods import DAYS_PER_MONTH
from .survival import KMPoint

__all__ = ["DAYS_PER_MONTH", "PALETTE", "BarSeries", "Series", "bar_chart", "step_chart"]


PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
"""Okabe–Ito colours, told apart under the common colour-vision deficiencies (their
yellow is left out: it vanishes on white). Past seven series, dash patterns differ."""

_DASHES = (None, "6 3", "2 3", "8 3 2 3")
_FONT = "system-ui, sans-serif"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Series:
    """One retention curve to draw: survival (0..1) stepping at each time, with an
    optional confidence band, and `end_days` to carry the last level up to (e.g. the
    longest follow-up), since a curve otherwise stops at its last step."""

    label: str
    times_days: tuple[float, ...]
    survival: tuple[float, ...]
    ci_lower: tuple[float, ...] | None = None
    ci_upper: tuple[float, ...] | None = None
    end_days: float | None = None

    def __post_init__(self) -> None:
        n = len(self.times_days)
        if len(self.survival) != n:
            raise ValueError("times_days and survival must have the same length")
        if (self.ci_lower is None) != (self.ci_upper is None):
            raise ValueError("give both ci_lower and ci_upper, or neither")
        if self.ci_lower is not None and self.ci_upper is not None:
            if len(self.ci_lower) != n or len(self.ci_upper) != n:
                raise ValueError("confidence bounds must match times_days in length")
        if any(b < a for a, b in zip(self.times_days, self.times_days[1:], strict=False)):
            raise ValueError("times_days must be increasing")

    @classmethod
    def from_curve(
        cls, label: str, curve: Sequence[KMPoint], *, end_days: float | None = None
    ) -> Series:
        """A curve whose times are whole months (as the statistics service counts them)."""
        return cls(
            label=label,
            times_days=tuple(p.time * DAYS_PER_MONTH for p in curve),
            survival=tuple(p.survival for p in curve),
            ci_lower=tuple(p.ci_lower for p in curve),
            ci_upper=tuple(p.ci_upper for p in curve),
            end_days=end_days,
        )


@dataclass(frozen=True)
class BarSeries:
    """One bar per category; None marks a suppressed count, drawn as a marker, not a bar.
    `labels`, if given, are written beside the bars instead of the counts (e.g. "8 of 12")."""

    label: str
    values: tuple[int | None, ...]
    labels: tuple[str, ...] | None = None


def step_chart(
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    no_data_text: str,
    width: int = 640,
    height: int = 320,
    x_max_days: float | None = None,
    chart_id: str = "retention-chart",
    description: str | None = None,
    month_format: Callable[[int], str] = str,
    percent_format: Callable[[int], str] = lambda p: f"{p}%",
) -> str:
    """Kaplan–Meier curves with shaded 95% bands; x ticks every 3 months (wider past 3
    years), labelled in months; y from 0 to 100%.

    All text arrives translated; `month_format`/`percent_format` let the caller pick
    numerals. Only presentation attributes are used (no style attribute or element),
    so the markup passes a CSP without 'unsafe-inline'.
    """
    drawable = [s for s in series if s.times_days]
    legend_rows = _legend_layout([s.label for s in drawable], width - 72)
    top = 34 + 18 * len(legend_rows)
    left, right, bottom = 56, width - 16, height - 44
    svg = _Svg(chart_id, width, height, title, description)
    if not drawable or bottom - top < 40:
        svg.no_data(no_data_text)
        return svg.render()

    span = x_max_days
    if span is None:
        span = max(max(s.times_days[-1], s.end_days or 0.0) for s in drawable)
    months = max(3, math.ceil(span / DAYS_PER_MONTH / 3 - 1e-9) * 3)
    x_max = span if x_max_days is not None else months * DAYS_PER_MONTH
    if x_max <= 0:
        x_max = 3 * DAYS_PER_MONTH

    def x(days: float) -> float:
        return left + (right - left) * min(days, x_max) / x_max

    def y(survival: float) -> float:
        return bottom - (bottom - top) * survival

    for pct in (0, 25, 50, 75, 100):
        svg.line(left, y(pct / 100), right, y(pct / 100), stroke="#dddddd")
        svg.text(left - 6, y(pct / 100) + 4, percent_format(pct), anchor="end", size=11)
    step = 3 if x_max <= 36 * DAYS_PER_MONTH else 6 if x_max <= 72 * DAYS_PER_MONTH else 12
    month = 0
    while month * DAYS_PER_MONTH <= x_max + 1e-9:
        xt = x(month * DAYS_PER_MONTH)
        svg.line(xt, bottom, xt, bottom + 5, stroke="#555555")
        svg.text(xt, bottom + 18, month_format(month), anchor="middle", size=11)
        month += step
    svg.line(left, top, left, bottom, stroke="#555555")
    svg.line(left, bottom, right, bottom, stroke="#555555")
    svg.text((left + right) / 2, height - 8, x_label, anchor="middle", size=12)
    svg.text(14, (top + bottom) / 2, y_label, anchor="middle", size=12, rotate=True)

    bands: list[str] = []
    lines: list[str] = []
    for index, s in enumerate(drawable):
        colour, dash = _style(index)
        shown = [i for i, t in enumerate(s.times_days) if t <= x_max]
        if not shown:
            continue
        clipped = len(shown) < len(s.times_days)
        last_t = s.times_days[shown[-1]]
        end = x_max if clipped else max(last_t, min(s.end_days or last_t, x_max))
        times = [s.times_days[i] for i in shown]
        if s.ci_lower is not None and s.ci_upper is not None:
            upper = _steps(times, [s.ci_upper[i] for i in shown], end)
            lower = _steps(times, [s.ci_lower[i] for i in shown], end)
            outline = [(x(t), y(v)) for t, v in upper + lower[::-1]]
            svg.polygon(outline, fill=colour, opacity="0.18", layer=bands)
        path = _steps(times, [s.survival[i] for i in shown], end)
        svg.polyline([(x(t), y(v)) for t, v in path], stroke=colour, dash=dash, layer=lines)
        if len(shown) == 1:
            svg.circle(x(times[0]), y(s.survival[shown[0]]), 3, fill=colour, layer=lines)
    svg.parts.extend(bands + lines)

    _legend(svg, legend_rows, [s.label for s in drawable], left, 30)
    return svg.render()


def bar_chart(
    categories: Sequence[str],
    series: Sequence[BarSeries],
    *,
    title: str,
    x_label: str,
    no_data_text: str,
    suppressed_label: str = "*",
    width: int = 640,
    chart_id: str = "bar-chart",
    description: str | None = None,
    number_format: Callable[[int], str] = str,
) -> str:
    """Horizontal grouped bars: a row per category (e.g. province), a bar per series
    (e.g. placed, retained at 6 months). Horizontal, because 25 province names fit
    down the side but not along an axis. The height follows the number of rows."""
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.label!r} needs one value per category")
        if s.labels is not None and len(s.labels) != len(categories):
            raise ValueError(f"series {s.label!r} needs one label per category")
    legend_rows = _legend_layout([s.label for s in series], width - 32)
    top = 34 + 18 * len(legend_rows)
    bar, gap = 14, 10
    band = bar * max(1, len(series)) + gap
    if not categories or not series:
        svg = _Svg(chart_id, width, 120, title, description)
        svg.no_data(no_data_text)
        return svg.render()

    height = top + band * len(categories) + 48
    svg = _Svg(chart_id, width, height, title, description)
    label_width = min(width * 0.4, 12 + 7 * max(len(c) for c in categories))
    longest_label = max((len(t) for s in series for t in (s.labels or ())), default=0)
    left, right, bottom = 8 + label_width, width - max(48, 12 + 7 * longest_label), height - 48
    largest = max((v for s in series for v in s.values if v is not None), default=0)
    tick, x_max = _nice_axis(largest)

    def x(value: float) -> float:
        return left + (right - left) * value / x_max

    value = 0
    while value <= x_max:
        svg.line(x(value), top, x(value), bottom, stroke="#dddddd")
        svg.text(x(value), bottom + 16, number_format(value), anchor="middle", size=11)
        value += tick
    svg.line(left, top, left, bottom, stroke="#555555")
    svg.text((left + right) / 2, height - 10, x_label, anchor="middle", size=12)

    for row, category in enumerate(categories):
        y0 = top + row * band + gap / 2
        svg.text(left - 6, y0 + band / 2 - gap / 2 + 4, category, anchor="end", size=12)
        for index, s in enumerate(series):
            colour, _ = _style(index)
            yb = y0 + index * bar
            count = s.values[row]
            if count is None:
                svg.text(left + 4, yb + bar - 3, suppressed_label, size=11, fill="#555555")
                continue
            svg.rect(left, yb + 1, x(count) - left, bar - 2, fill=colour)
            text = s.labels[row] if s.labels is not None else number_format(count)
            svg.text(x(count) + 4, yb + bar - 3, text, size=11)

    _legend(svg, legend_rows, [s.label for s in series], 16, 30)
    return svg.render()


class _Svg:
    """Collects escaped SVG elements, in `parts` or a caller's `layer` (drawn later, on
    top); coordinates rounded to 0.01 px."""

    def __init__(
        self, chart_id: str, width: int, height: int, title: str, description: str | None
    ) -> None:
        if not _ID.fullmatch(chart_id):
            raise ValueError("chart_id must be a plain identifier (letters, digits, - and _)")
        self.id = chart_id
        self.width = width
        self.height = height
        self.parts: list[str] = [f'<title id="{chart_id}-title">{_esc(title)}</title>']
        self.labelled_by = f"{chart_id}-title"
        if description:
            self.parts.append(f'<desc id="{chart_id}-desc">{_esc(description)}</desc>')
            self.labelled_by += f" {chart_id}-desc"
        self.text(8, 18, title, size=14, weight="bold")

    def render(self) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-labelledby="{self.labelled_by}" width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" font-family="{_FONT}">'
        )
        return head + "".join(self.parts) + "</svg>"

    def no_data(self, text: str) -> None:
        self.text(self.width / 2, self.height / 2, text, anchor="middle", size=13, fill="#555555")

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        anchor: str = "start",
        size: int = 12,
        fill: str = "#222222",
        weight: str | None = None,
        rotate: bool = False,
    ) -> None:
        extra = f' font-weight="{weight}"' if weight else ""
        if rotate:
            extra += f' transform="rotate(-90 {_n(x)} {_n(y)})"'
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}"{extra}>{_esc(content)}</text>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, *, stroke: str) -> None:
        self.parts.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{stroke}" stroke-width="1"/>'
        )

    def polyline(
        self,
        points: Sequence[tuple[float, float]],
        *,
        stroke: str,
        dash: str | None,
        layer: list[str] | None = None,
    ) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        (self.parts if layer is None else layer).append(
            f'<polyline points="{_points(points)}" fill="none" stroke="{stroke}" '
            f'stroke-width="2"{extra}/>'
        )

    def polygon(
        self,
        points: Sequence[tuple[float, float]],
        *,
        fill: str,
        opacity: str,
        layer: list[str] | None = None,
    ) -> None:
        (self.parts if layer is None else layer).append(
            f'<polygon points="{_points(points)}" fill="{fill}" fill-opacity="{opacity}" '
            f'stroke="none"/>'
        )

    def rect(self, x: float, y: float, w: float, h: float, *, fill: str) -> None:
        self.parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(h)}" '
            f'fill="{fill}"/>'
        )

    def circle(
        self, cx: float, cy: float, r: float, *, fill: str, layer: list[str] | None = None
    ) -> None:
        (self.parts if layer is None else layer).append(
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" fill="{fill}"/>'
        )


def _steps(
    times: Sequence[float], values: Sequence[float], end: float
) -> list[tuple[float, float]]:
    """Vertices of a right-continuous step function from times[0] to `end`."""
    vertices = [(times[0], values[0])]
    for i in range(1, len(times)):
        if values[i] != values[i - 1]:
            vertices.append((times[i], values[i - 1]))
            vertices.append((times[i], values[i]))
    if vertices[-1][0] < times[-1]:
        vertices.append((times[-1], values[-1]))
    if end > times[-1]:
        vertices.append((end, values[-1]))
    return vertices


def _legend_layout(labels: Sequence[str], available: float) -> list[list[int]]:
    """Indices of legend entries per line; widths are estimates (no font metrics here)."""
    rows: list[list[int]] = []
    used = available
    for index, label in enumerate(labels):
        need = 28 + 7 * len(label)
        if used + need > available and (not rows or rows[-1]):
            rows.append([])
            used = 0
        rows[-1].append(index)
        used += need
    return rows


def _legend(svg: _Svg, rows: list[list[int]], labels: Sequence[str], x0: float, y0: float) -> None:
    for line, indices in enumerate(rows):
        x = x0
        y = y0 + 18 * line
        for index in indices:
            colour, dash = _style(index)
            svg.polyline([(x, y), (x + 18, y)], stroke=colour, dash=dash)
            svg.text(x + 22, y + 4, labels[index], size=11)
            x += 28 + 7 * len(labels[index])


def _style(index: int) -> tuple[str, str | None]:
    colour = PALETTE[index % len(PALETTE)]
    return colour, _DASHES[(index // len(PALETTE)) % len(_DASHES)]


def _nice_axis(largest: int) -> tuple[int, int]:
    """A tick step of 1, 2 or 5 times a power of ten, and an axis end at a multiple of it."""
    if largest <= 0:
        return 1, 1
    raw = largest / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return step, math.ceil(largest / step) * step


def _esc(text: str) -> str:
    return escape(_INVALID_XML.sub("", text), quote=True)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_n(px)},{_n(py)}" for px, py in points)
