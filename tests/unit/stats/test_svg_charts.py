"""SVG charts: well-formed, escaped, accessible, and free of inline style."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from reintegrate.stats.survival import kaplan_meier
from reintegrate.stats.svg_charts import (
    DAYS_PER_MONTH,
    PALETTE,
    BarSeries,
    Series,
    bar_chart,
    step_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
NASTY = 'Kampong <Cham> & "Siem" Reap\'s ខេត្តកំពង់ចាម'


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None
    for element in root.iter():
        assert "style" not in element.attrib
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}foreignObject")
    return root


def _texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def _curve_series(label: str, seed: int, n: int = 60) -> Series:
    rng = random.Random(seed)
    curve = kaplan_meier([(rng.randint(1, 12), rng.random() < 0.4) for _ in range(n)])
    return Series.from_curve(label, curve, end_days=365)


def test_step_chart_draws_curves_bands_legend_and_month_ticks() -> None:
    svg = step_chart(
        [_curve_series("Battambang", 1), _curve_series("Prey Veng", 2)],
        title="Still in work",
        x_label="Months since placement",
        y_label="Retained",
        no_data_text="No data",
    )
    root = _parse(svg)
    texts = _texts(root)
    assert root.find(f"{SVG}title").text == "Still in work"
    assert {"0", "3", "6", "9", "12"} <= set(texts)
    assert {"0%", "50%", "100%"} <= set(texts)
    assert "Battambang" in texts and "Prey Veng" in texts
    assert len(root.findall(f"{SVG}polygon")) == 2
    strokes = {line.get("stroke") for line in root.iter(f"{SVG}polyline")}
    assert {PALETTE[0], PALETTE[1]} <= strokes
    assert "No data" not in texts


def test_text_is_escaped_and_khmer_survives() -> None:
    svg = step_chart(
        [_curve_series(NASTY, 3)],
        title=f"Title {NASTY}",
        x_label="<x>",
        y_label="&y",
        no_data_text="none",
        description="a & b < c",
    )
    assert "<Cham>" not in svg
    root = _parse(svg)
    texts = _texts(root)
    assert NASTY in texts
    assert "<x>" in texts and "&y" in texts
    assert root.find(f"{SVG}desc").text == "a & b < c"
    assert root.get("aria-labelledby") == "retention-chart-title retention-chart-desc"


def test_control_characters_are_dropped_to_keep_xml_valid() -> None:
    svg = step_chart([], title="a\x00b\x1fc", x_label="", y_label="", no_data_text="-")
    assert _parse(svg).find(f"{SVG}title").text == "abc"


def test_a_series_with_one_point_is_drawn_as_a_marker() -> None:
    curve = kaplan_meier([(0, False)] * 6)
    root = _parse(
        step_chart(
            [Series.from_curve("Kep", curve)],
            title="t",
            x_label="x",
            y_label="y",
            no_data_text="No data",
        )
    )
    assert len(curve) == 1
    assert len(root.findall(f"{SVG}circle")) == 1
    assert "No data" not in _texts(root)


@pytest.mark.parametrize("series", [[], [Series("empty", (), ())]])
def test_no_series_shows_the_callers_no_data_text(series: list[Series]) -> None:
    root = _parse(step_chart(series, title="t", x_label="x", y_label="y", no_data_text="គ្មានទិន្នន័យ"))
    assert "គ្មានទិន្នន័យ" in _texts(root)
    assert root.find(f"{SVG}polyline") is None


def test_x_max_clips_long_curves_and_sets_ticks() -> None:
    series = _curve_series("Takeo", 5)
    root = _parse(
        step_chart(
            [series],
            title="t",
            x_label="x",
            y_label="y",
            no_data_text="-",
            x_max_days=6 * DAYS_PER_MONTH,
        )
    )
    texts = _texts(root)
    assert "6" in texts and "9" not in texts
    xs = [
        float(pair.split(",")[0])
        for line in root.iter(f"{SVG}polyline")
        for pair in line.get("points", "").split()
    ]
    assert max(xs) <= 640 - 16 + 1e-6


def test_month_labels_can_use_khmer_numerals() -> None:
    digits = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
    root = _parse(
        step_chart(
            [_curve_series("a", 6)],
            title="t",
            x_label="x",
            y_label="y",
            no_data_text="-",
            month_format=lambda m: str(m).translate(digits),
        )
    )
    assert "១២" in _texts(root)


def test_series_validates_lengths() -> None:
    with pytest.raises(ValueError):
        Series("a", (0.0, 1.0), (1.0,))
    with pytest.raises(ValueError):
        Series("a", (0.0,), (1.0,), ci_lower=(1.0,))


def test_chart_id_must_be_a_plain_identifier() -> None:
    with pytest.raises(ValueError):
        step_chart([], title="t", x_label="x", y_label="y", no_data_text="-", chart_id='a" x')


def test_bar_chart_draws_bars_and_marks_suppressed_counts() -> None:
    svg = bar_chart(
        ["Battambang", NASTY],
        [BarSeries("Placed", (40, None)), BarSeries("Retained 6 months", (25, 0))],
        title="Outcomes by province",
        x_label="People",
        no_data_text="No data",
        suppressed_label="fewer than 5",
    )
    root = _parse(svg)
    texts = _texts(root)
    assert NASTY in texts
    assert "fewer than 5" in texts
    assert "40" in texts and "25" in texts
    widths = sorted(float(rect.get("width", "0")) for rect in root.iter(f"{SVG}rect"))
    assert len(widths) == 3 and widths[0] == 0
    assert int(root.get("height", "0")) > 100


def test_bar_chart_without_categories_shows_no_data() -> None:
    root = _parse(bar_chart([], [], title="t", x_label="x", no_data_text="No data"))
    assert "No data" in _texts(root)


def test_bar_chart_checks_series_length() -> None:
    with pytest.raises(ValueError):
        bar_chart(["a", "b"], [BarSeries("x", (1,))], title="t", x_label="x", no_data_text="-")


def test_a_flat_tail_is_drawn_up_to_the_last_follow_up() -> None:
    curve = kaplan_meier([(1, False), (2, False), (2, False)])
    root = _parse(
        step_chart(
            [Series.from_curve("flat", curve, end_days=91)],
            title="t",
            x_label="x",
            y_label="y",
            no_data_text="-",
        )
    )
    xs = [
        float(pair.split(",")[0])
        for line in root.iter(f"{SVG}polyline")
        for pair in line.get("points", "").split()
    ]
    # 91 days is just short of the 3-month axis end at the right edge (x = 624)
    assert 620 < max(xs) < 624


def test_bars_can_say_what_they_are_a_share_of() -> None:
    root = _parse(
        bar_chart(
            ["Kep", "Pailin"],
            [
                BarSeries("Contacted", (12, None)),
                BarSeries("In work", (8, None), ("8 of 12 (67%)", "* of *")),
            ],
            title="t",
            x_label="x",
            no_data_text="-",
        )
    )
    texts = _texts(root)
    assert "8 of 12 (67%)" in texts
    assert "12" in texts
    with pytest.raises(ValueError):
        bar_chart(
            ["a"], [BarSeries("x", (1,), ("1", "2"))], title="t", x_label="x", no_data_text="-"
        )
