"""Every figure rule writes a real picture: it opens, has a readable size and is not blank."""

import json
import re

import numpy as np
import pytest
from PIL import Image

from conftest import FEATURED, REPO, figure_file
from digitnet.figures import FIGURE_RULES, report_figures

# The figures of a dense network's report, and of a convolutional one's.
FIGURES = list(report_figures(convolutional=False))
CNN_FIGURES = list(report_figures(convolutional=True))


def test_every_figure_rule_is_shown_in_the_report_and_every_figure_shown_has_a_rule():
    rules = "".join(path.read_text() for path in sorted((REPO / "workflow/rules").glob("*.smk")))
    # Each PNG a rule's output section names (one rule may draw several), with its rule.
    drawn = {}
    for rule, outputs in re.findall(r'^rule (\w+):\n(?:[ \t].*\n)*?[ \t]+output:\n((?:[ \t]{8}.*\n)+)', rules, re.MULTILINE):
        drawn.update({name: rule for name in re.findall(r'"[^"]*/(\w+)\.png"', outputs)})
    shown = set(re.findall(r'figure\("(\w+)"', (REPO / "report_templates/report.html.j2").read_text()))
    assert drawn == FIGURE_RULES
    assert shown == set(FIGURE_RULES)


def check_png(path) -> None:
    with Image.open(path) as image:
        assert image.format == "PNG"
        width, height = image.size
        pixels = np.asarray(image.convert("L"), dtype=np.float64)
    # Wide enough for 8-10 pt text at 110 dpi to be legible, small enough for a report.
    assert 600 <= width <= 3000 and 300 <= height <= 3000, (path.name, image.size)
    # A blank or single-colour image has (almost) no variance.
    assert pixels.std() > 10, (path.name, pixels.std())


@pytest.mark.parametrize("name", FIGURES)
def test_figure_of_the_default_network_is_a_real_picture(finished_run, name):
    check_png(figure_file(finished_run, name))


@pytest.mark.parametrize("name", FIGURES)
def test_figure_of_a_two_hidden_layer_network_is_a_real_picture(two_layer_run, name):
    check_png(figure_file(two_layer_run, name))


@pytest.mark.parametrize("name", CNN_FIGURES)
def test_figure_of_a_convolutional_network_is_a_real_picture(cnn_run, name):
    check_png(figure_file(cnn_run, name))


def test_a_convolutional_network_gets_its_feature_maps_section_and_the_playground(cnn_run):
    report = (cnn_run / "report.html").read_text()
    assert 'id="feature-maps"' in report
    assert "Not for this model" not in report
    assert 'id="network"' in report
    metrics = json.loads((cnn_run / FEATURED / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.8


def test_two_layer_step_explanation_walks_through_every_layer(two_layer_run):
    text = (two_layer_run / "results/explain/explain.md").read_text()
    for heading in [
        "Layer 1: weighted sums, then leaky_relu",
        "Layer 2: weighted sums, then leaky_relu",
        "Output layer",
        "Backward through layer 3",
        "Backward through layer 1",
        "The update",
    ]:
        assert heading in text


def test_report_embeds_every_figure_and_the_step_in_words(finished_run):
    report = (finished_run / "report.html").read_text()
    # Stage by stage, the custom images that need a look (their gallery tiles come apart).
    drawn = json.loads((finished_run / "results/custom/steps/index.json").read_text())
    assert report.count('<img src="data:image/png;base64,') == len(FIGURES) + len(drawn)
    assert "One training step, by the numbers" in report
    # Self-contained: nothing is loaded from elsewhere (URLs in the config dump are only text).
    assert not re.search(r'(src|href)="(https?:)?//', report)
