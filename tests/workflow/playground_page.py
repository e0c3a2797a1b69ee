"""The report's playground section rendered alone, for a network given in the test, and the
helpers that draw on it with mouse events."""

import json
import math
import shutil
from pathlib import Path

import numpy as np

from conftest import REPO
from digitnet.export import network_json
from digitnet.model import Sequential
from digitnet.report import render
from digitnet.trace import saliency

TEMPLATES = REPO / "report_templates"
# Strokes as lists of (x, y) points, in fractions of the drawing pad.
CIRCLE = [(0.5 + 0.22 * math.sin(2 * math.pi * t / 24), 0.5 - 0.33 * math.cos(2 * math.pi * t / 24)) for t in range(25)]
DIGITS = {
    0: [CIRCLE],
    1: [[(0.52, 0.15), (0.5, 0.5), (0.48, 0.85)]],
    7: [[(0.28, 0.2), (0.72, 0.2)], [(0.72, 0.2), (0.42, 0.86)]],
}


def playground_section() -> str:
    """The text of report.html.j2's <section id="playground">, as the report renders it."""
    template = (TEMPLATES / "report.html.j2").read_text()
    start = template.index('<section id="playground">')
    return template[start : template.index("</section>", start) + len("</section>")]


def embedded(network: dict) -> str:
    """The network's JSON as report.py embeds it in a <script> block."""
    return json.dumps(network).replace("</", "<\\/")


def write_playground_page(model: Sequential, folder: Path) -> Path:
    """folder/playground.html: the report's CSS and playground section (markup and JavaScript) for ``model``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("report.css", "playground.js"):
        shutil.copy(TEMPLATES / name, folder / name)
    page = folder / "playground.j2"
    page.write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><style>{{% include "report.css" %}}</style></head><body>{playground_section()}</body></html>'
    )
    network = network_json(model)
    html = folder / "playground.html"
    networks = [{"id": "network", "label": "the network", "json": embedded(network)}]
    html.write_text(render(page, {"networks": networks, "playground": network}))
    return html


def draw(page, strokes) -> None:
    """Clear the pad and draw each stroke as a person would: press, move in small steps, release."""
    page.click("#clear")
    box = page.locator("#pad").bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=6)
        page.mouse.up()
    page.wait_for_function("document.getElementById('answer').dataset.digit !== undefined")


def shown_probabilities(page) -> list[float]:
    return page.evaluate("[...document.querySelectorAll('#bars .bar-row')].map(row => parseFloat(row.dataset.p))")


def near_ties(model: Sequential, X: np.ndarray, relative: float = 1e-4) -> np.ndarray:
    """(N,) bool: images for which some max-pooling window holds two values that differ, but by
    less than ``relative`` times the larger. There the saliency (the gradient of a max) may go
    to either, depending on the last bit of two sums added in different orders by NumPy and the page."""
    trace: list = []
    model.forward(X, trace=trace)
    inputs = [X, *(out for _, out in trace[:-1])]
    found = np.zeros(len(X), dtype=bool)
    for (layer, out), x in zip(trace, inputs, strict=True):
        if layer.spec()["type"] != "maxpool2d":
            continue
        s, (Ho, Wo) = layer.stride, out.shape[2:]
        for u in range(layer.size):
            for v in range(layer.size):
                gap = out - x[:, :, u : u + s * Ho : s, v : v + s * Wo : s]
                found |= ((gap > 0) & (gap < relative * np.abs(out))).any(axis=(1, 2, 3))
    return found


def saliency_error(page, model: Sequential, X: np.ndarray, count: int = 10) -> float:
    """The page's saliency (d score / d pixels of the most probable class) against NumPy's on the
    first ``count`` images of X without near ties (see near_ties): the largest difference,
    relative to the largest gradient.

    NumPy works on one image at a time here, as the page does: how a batch is laid out changes
    the last bits of its sums, enough to move a tie in max pooling and the gradient with it (the
    same digit's saliency computed in a batch of 10 and alone differed by 4% of the largest
    gradient for a trained preset CNN).
    """
    singles = [X[i : i + 1] for i in range(len(X))]
    chosen = [x for x in singles if not near_ties(model, x)[0]][:count]
    assert len(chosen) == count, f"only {len(chosen)} images without near ties in max pooling"
    classes = [int(model.predict_proba(x).argmax()) for x in chosen]
    pairs = [[x[0].tolist(), c] for x, c in zip(chosen, classes, strict=True)]
    in_page = np.array(page.evaluate("pairs => pairs.map(([x, c]) => digitnet.saliency(x, c))", pairs))
    expected = np.concatenate([saliency(model, x, np.array([c])) for x, c in zip(chosen, classes, strict=True)])
    return float(np.abs(in_page - expected).max() / np.abs(expected).max())
