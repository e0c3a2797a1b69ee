"""A class's photos in the report: 300 images in a real browser (Debian's headless Chromium, Playwright).

The finished small run is given a folder of 300 photo-like digits in ten sub-folders (one per
writer), two sheets of digits and a file that is not an image, and run again. Its report must
stay under 5 MB, load without console errors and without fetching anything, let the reader
filter the gallery to the misread, the unsure and the unreadable images, draw a box over each
digit of a sheet, and not be wider than a phone's screen.
"""

import csv
import json
import shutil

import numpy as np
import pytest
from PIL import Image
from test_custom_digits import sheet_of
from test_report_browser import VIEWPORTS, wait_for_images

from bench.photolike import photo_like
from conftest import TIMEOUT_MS, snakemake
from digitnet.data.formats import read_idx_images, read_idx_labels

PHOTOS = 300
WRITERS = 10


@pytest.fixture(scope="module")
def class_run(chromium, finished_run, small_data, tmp_path_factory):
    """The finished small run, with a class's photos in custom_digits/ instead of the examples, run again."""
    workdir = tmp_path_factory.mktemp("class") / "digitnet"
    shutil.copytree(finished_run, workdir, symlinks=True)
    folder = workdir / "custom_digits"
    shutil.rmtree(folder)
    images = read_idx_images(small_data / "t10k-images-idx3-ubyte.gz")[: PHOTOS + 8] / 255
    labels = read_idx_labels(small_data / "t10k-labels-idx1-ubyte.gz")[: PHOTOS + 8]
    rng = np.random.default_rng(7)
    for i in range(PHOTOS):
        writer = folder / f"writer{i % WRITERS}"
        writer.mkdir(parents=True, exist_ok=True)
        photo_like(images[i], rng, canvas=200).save(writer / f"photo{i:03d}_{labels[i]}.jpg", quality=80)
    for first, count in [(PHOTOS, 4), (PHOTOS + 4, 3)]:
        digits = "".join(str(d) for d in labels[first : first + count])
        sheet_of(images[first : first + count]).save(folder / f"sheet_{digits}.png")
    (folder / "notes.png").write_text("not an image")
    snakemake(workdir)
    return workdir


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def gallery_page(request, class_run, browser):
    """The report of the class run, loaded at one viewport size, with what the browser said."""
    context = browser.new_context(**VIEWPORTS[request.param])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    said = {"errors": [], "requests": []}
    page.on("console", lambda message: message.type == "error" and said["errors"].append(message.text))
    page.on("pageerror", lambda error: said["errors"].append(str(error)))
    page.on("request", lambda req: said["requests"].append(req.url))
    page.goto((class_run / "report.html").as_uri(), wait_until="load", timeout=TIMEOUT_MS)
    wait_for_images(page)
    yield page, said
    context.close()


def predictions(workdir) -> list[dict]:
    with open(workdir / "results/custom/predictions.csv") as f:
        return list(csv.DictReader(f))


def visible_tiles(page) -> int:
    return page.evaluate("[...document.querySelectorAll('#gallery > li')].filter(t => !t.hidden).length")


def test_the_report_of_300_photos_stays_under_5_mb(class_run):
    assert (class_run / "report.html").stat().st_size <= 5_000_000


def test_it_loads_without_errors_and_fetches_nothing(gallery_page):
    page, said = gallery_page
    assert said["errors"] == []
    assert [url for url in said["requests"] if not url.startswith(("file:", "data:"))] == []


def test_the_gallery_filters_to_the_misread_the_unsure_and_the_unreadable(gallery_page, class_run):
    page, _ = gallery_page
    table = predictions(class_run)
    total = PHOTOS + 3
    assert len(table) == total and visible_tiles(page) == total
    expected = {
        "misread": sum(row["correct"] == "0" for row in table),
        "unsure": sum(row["warnings"] != "" for row in table),
        "error": sum(row["status"] == "error" for row in table),
    }
    assert expected["error"] == 1 and expected["misread"] > 0
    for name, count in expected.items():
        page.click(f".gallery-filter button[data-filter='{name}']")
        assert visible_tiles(page) == count, name
        assert page.inner_text("#gallery-count") == f"{count} of {total} images"
        assert page.get_attribute(f".gallery-filter button[data-filter='{name}']", "aria-pressed") == "true"
    page.click(".gallery-filter button[data-filter='all']")
    assert visible_tiles(page) == total


def test_each_digit_of_a_sheet_has_a_box_with_the_digit_read(gallery_page, class_run):
    page, _ = gallery_page
    readings = json.loads((class_run / "results/custom/readings.json").read_text())["images"]
    sheets = [image for image in readings if image["kind"] == "sheet"]
    assert {image["file"] for image in sheets} >= {image["file"] for image in readings if image["file"].startswith("sheet_")}
    boxes = page.evaluate("[...document.querySelectorAll('#gallery .sheet .piece b')].map(b => b.textContent)")
    assert boxes == [str(piece["digit"]) for sheet in sheets for piece in sheet["pieces"]]


def test_only_the_images_that_need_a_look_are_drawn_stage_by_stage(class_run):
    drawn = json.loads((class_run / "results/custom/steps/index.json").read_text())
    assert 0 < len(drawn) <= 12
    assert all(Image.open(class_run / "results/custom/steps" / png).size[0] > 100 for png in drawn.values())


def test_nothing_makes_the_page_wider_than_the_screen(gallery_page):
    page, _ = gallery_page
    screen = page.viewport_size["width"]
    widths = page.evaluate("({page: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["page"] <= min(screen, widths["inner"]) + 1
