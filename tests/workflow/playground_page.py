"""The report's playground section rendered alone, for a network given in the test, and the
helpers that draw on it with mouse events."""

import json
import math
import shutil
from pathlib import Path

from conftest import REPO
from digitnet.export import network_json
from digitnet.model import Sequential
from digitnet.report import render

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
    html.write_text(render(page, {"network_json": embedded(network), "playground": network}))
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
