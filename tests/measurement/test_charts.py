"""measurement.charts.objective_chart: one SVG for pages and PDFs, readable without colour,
with its numbers as text, every piece of text escaped, nothing fetched."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from measurement.charts import DASHES, SHAPES, describe, format_value, objective_chart

LABELS = ["Baseline", "Mid-point", "End-point"]
SVG = "{http://www.w3.org/2000/svg}"


def chart(**overrides):
    arguments = {
        "title": "Delegates decisions", "baseline": 3, "target": 8, "labels": LABELS,
        "series": {"Coachee": [3, 6, 7], "Coach": [3, 5.5, None], "Sponsor": [3, 6, 8]},
    }
    arguments.update(overrides)
    return str(objective_chart(**arguments))


def svg_of(markup: str) -> ET.Element:
    """The <svg> element, parsed as XML (a chart must be well-formed to render in WeasyPrint)."""
    root = ET.fromstring(markup)
    svg = root.find(f"{SVG}svg")
    assert svg is not None
    return svg


def references_of(svg) -> list[str]:
    return [t.text for t in svg.findall(f".//{SVG}text[@class='objective-chart__label--reference']")]


def series_labels_of(svg) -> list[str]:
    return [t.text for t in svg.findall(f".//{SVG}text[@class='objective-chart__label']")]


def test_chart_is_one_well_formed_figure_with_a_fixed_viewbox_that_scales():
    svg = svg_of(chart())
    assert svg.get("viewBox") == "0 0 520 260"
    assert svg.get("width") == "100%"
    assert svg_of(chart(compact=True)).get("viewBox") == "0 0 360 180"


def test_chart_is_an_image_named_by_its_title_and_described_by_its_numbers():
    svg = svg_of(chart())
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text == "Delegates decisions"
    assert "Baseline 3; target 8." in desc.text
    assert "Coach: Baseline 3, Mid-point 5.5, End-point not rated." in desc.text


def test_two_charts_on_one_page_have_different_ids():
    first, second = svg_of(chart()), svg_of(chart())
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_chart_carries_a_hidden_table_of_every_value():
    markup = chart()
    hidden = ET.fromstring(markup).find("div")
    assert "visually-hidden" in hidden.get("class")
    assert hidden.get("style") is None  # no inline style under the CSP: the pages' and the PDF's stylesheets hide it
    table = hidden.find("table")
    rows = {row.find("th").text: [cell.text for cell in row.findall("td")] for row in table.iter("tr")}
    assert rows["Coachee"] == ["3", "6", "7"]
    assert rows["Coach"] == ["3", "5.5", "not rated"]
    assert table.find("caption").text == "Delegates decisions (baseline 3, target 8)"


def test_every_piece_of_text_is_escaped():
    hostile = '<script>alert(1)</script>"&'
    markup = chart(
        title=hostile, labels=["<b>Base</b>", "Mid", "End"],
        series={hostile: [1, 2, 3], "Coach": [2, 3, 4]},
    )
    assert "<script>" not in markup
    assert "<b>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;" in markup
    svg_of(markup)  # still well-formed


def test_missing_values_break_the_line_and_draw_no_marker():
    svg = svg_of(chart(series={"Coachee": [3, None, 7]}))
    assert not svg.findall(f".//{SVG}polyline")  # no two consecutive values: nothing to join
    markers = svg.findall(f".//{SVG}g[@class='objective-chart__point']")
    assert [m.find(f"{SVG}title").text for m in markers] == ["Coachee, Baseline: 3", "Coachee, End-point: 7"]


def test_a_series_with_no_values_at_all_draws_nothing_but_stays_in_the_table():
    markup = chart(series={"Sponsor": [None, None, None], "Coach": [3, 4, 5]})
    svg = svg_of(markup)
    assert series_labels_of(svg) == ["Coach"]
    assert "Sponsor: Baseline not rated, Mid-point not rated, End-point not rated." in markup


def test_without_a_target_only_the_baseline_is_drawn_and_the_text_says_so():
    markup = chart(target=None)
    svg = svg_of(markup)
    assert references_of(svg) == ["Baseline 3"]
    assert len(svg.findall(f".//{SVG}line[@class='objective-chart__reference']")) == 1
    assert "no target set." in markup
    assert "target none set" in markup


def test_baseline_and_target_are_labelled_reference_lines():
    svg = svg_of(chart())
    assert sorted(references_of(svg)) == ["Baseline 3", "Target 8"]
    lines = svg.findall(f".//{SVG}line[@class='objective-chart__reference']")
    assert [line.get("stroke-dasharray") for line in lines] == ["5 3", None]


def test_each_series_differs_by_marker_shape_dash_and_a_direct_label():
    svg = svg_of(chart())
    dashes = [line.get("stroke-dasharray", "") for line in svg.findall(f".//{SVG}polyline")]
    assert dashes == list(DASHES[:3])
    shapes = [m[1].tag.removeprefix(SVG) + m[1].get("fill", "") for m in svg.findall(f".//{SVG}g[@class='objective-chart__point']")]
    assert len(set(shapes[0::3] + shapes[1::3] + shapes[2::3])) == 3  # circle, rect, polygon
    assert len(set(SHAPES)) == len(SHAPES) == len(DASHES)
    assert sorted(series_labels_of(svg)) == ["Coach", "Coachee", "Sponsor"]


def test_direct_labels_never_overlap_when_series_end_on_the_same_value():
    svg = svg_of(chart(target=7, series={"Coachee": [3, 6, 7], "Coach": [3, 6, 7], "Sponsor": [3, 6, 7]}))
    ys = sorted(float(t.get("y")) for t in svg.findall(f".//{SVG}g[@class='objective-chart__labels']/{SVG}text"))
    assert all(b - a >= 12 for a, b in zip(ys, ys[1:]))


def test_values_outside_the_scale_are_drawn_at_its_edge_but_reported_as_given():
    svg = svg_of(chart(series={"Score": [0, 11, 5]}))
    ys = [float(m[1].get("cy")) for m in svg.findall(f".//{SVG}g[@class='objective-chart__point']")]
    assert 0 < min(ys) and max(ys) < 260
    assert "Score: Baseline 0, Mid-point 11" in describe(baseline=3, target=8, labels=LABELS, series={"Score": [0, 11, 5]})


def test_a_single_label_and_an_empty_series_are_fine():
    svg_of(chart(labels=["Baseline"], series={"Score": [4]}))
    svg_of(chart(series={}))


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        chart(series={"Coach": [1, 2]})


@pytest.mark.parametrize("value, text", [(6, "6"), (6.0, "6"), (6.5, "6.5"), (6.333, "6.3"), (None, "not rated")])
def test_scores_read_as_people_write_them(value, text):
    assert format_value(value) == text


def test_chart_references_nothing_outside_itself():
    markup = chart()
    assert not re.search(r"href|url\(|src=|<script|<style|<link|@import", markup)


class Refuser(URLFetcher):
    def __init__(self):
        super().__init__()
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        raise ValueError(url)


def test_weasyprint_renders_the_chart_without_fetching_anything():
    fetcher = Refuser()
    html = f"<html><body><h1>Progress</h1>{chart()}{chart(compact=True, target=None)}</body></html>"
    document = HTML(string=html, base_url="https://pdf.coachhub.invalid/", url_fetcher=fetcher).render()
    assert fetcher.requested == []
    text = " ".join(
        box.text for page in document.pages for box in page._page_box.descendants() if getattr(box, "text", None)
    )
    assert "Progress" in text
    assert document.write_pdf().startswith(b"%PDF")


def test_a_long_title_is_cut_to_the_full_charts_width_and_kept_whole_in_its_title():
    title = "Objective 1: Delegate client escalations to the team instead of handling them personally."
    markup = chart(title=title, compact=False)
    root = svg_of(markup)
    heading = next(t for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold")
    assert heading.text.endswith("…") and len(heading.text) <= 54
    assert root.find(f"{SVG}title").text == title
