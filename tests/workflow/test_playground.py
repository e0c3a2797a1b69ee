"""Draw a digit inside report.html: a person's strokes, the network's answer, and two implementations that agree.

The report of the default model (trained on all of MNIST) is opened from disk in headless
Chromium. Digits are drawn stroke by stroke with mouse events; the page's JavaScript forward
pass is checked against NumPy on 100 test digits, and its preparation of a drawing against the
Python preprocessing of the same drawing saved as an image.
"""

import base64
import io
import statistics

import numpy as np
import pytest
from PIL import Image
from playground_page import DIGITS, draw, shown_probabilities

from conftest import ARTIFACTS, FEATURED, TIMEOUT_MS
from digitnet.data.formats import read_idx_images
from digitnet.data.prepare import normalize
from digitnet.model import load_model
from digitnet.preprocess import preprocess_image

# The page's and Python's preparations of the same drawing may differ by float rounding only.
PREPARATION_BOUND = 1e-3


@pytest.fixture(scope="module")
def page(chromium, full_run, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((full_run / "report.html").as_uri(), wait_until="load")
    page.locator("#pad").scroll_into_view_if_needed()
    page.errors = errors
    yield page
    context.close()


@pytest.fixture(scope="module")
def model(full_run):
    return load_model(full_run / FEATURED / "weights.npz")


@pytest.mark.parametrize("digit", DIGITS)
def test_a_drawn_digit_is_read_and_its_bars_show_it(page, digit):
    draw(page, DIGITS[digit])
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"playground-{digit}.png"
    page.locator("#playground").screenshot(path=shot)
    print(f"\nscreenshot: {shot}")
    assert page.locator("#answer").get_attribute("data-digit") == str(digit)
    probabilities = shown_probabilities(page)
    assert len(probabilities) == 10 and sum(probabilities) == pytest.approx(1, abs=1e-4)
    assert int(np.argmax(probabilities)) == digit
    assert page.locator("#bars .bar-row.top .bar-digit").inner_text() == str(digit)
    lit = page.evaluate(
        "[...document.querySelectorAll('#layers rect.unit')].filter(r => r.style.fill && r.style.fill !== 'rgb(255, 255, 255)').length"
    )
    assert lit > 0, "no hidden unit is lit"
    assert page.locator("#layers line.link").count() > 0, "no contributing connection is highlighted"
    assert page.errors == []


def test_switching_off_the_strongest_unit_changes_the_answer_and_reset_restores_it(page):
    draw(page, DIGITS[7])
    before = shown_probabilities(page)
    unit = page.evaluate(
        """(() => {
            const net = digitnet.network, out = net[net.length - 1], A = digitnet.state.result.outputs[net.length - 2];
            let best = 0, bestValue = -Infinity;
            for (let j = 0; j < A.length; j++) {
                const v = A[j] * out.W[j * out.nOut + digitnet.state.winner];
                if (v > bestValue) { bestValue = v; best = j; }
            }
            return best;
        })()"""
    )
    page.click(f"#layers rect.unit[data-unit='{unit}']")
    after = shown_probabilities(page)
    assert page.locator(f"#layers rect.unit[data-unit='{unit}']").get_attribute("class").split().count("off") == 1
    assert after[7] < before[7] - 1e-6, (before[7], after[7])
    page.locator("#playground").screenshot(path=ARTIFACTS / "playground-unit-off.png")
    page.click("#reset")
    assert shown_probabilities(page) == pytest.approx(before, abs=1e-9)


def test_the_pages_forward_pass_agrees_with_numpy_on_100_test_digits(page, model, mnist_path):
    X = normalize(read_idx_images(mnist_path / "t10k-images-idx3-ubyte.gz")[:100])
    in_page = np.array(page.evaluate("digits => digits.map(x => digitnet.predict(x))", X.tolist()))
    in_numpy = model.predict_proba(X)
    assert np.array_equal(in_page.argmax(axis=1), in_numpy.argmax(axis=1))
    assert np.abs(in_page - in_numpy).max() < 1e-4
    print(f"\ndefault network, page against NumPy: largest difference in probability {np.abs(in_page - in_numpy).max():.1e}")


@pytest.mark.parametrize("digit", DIGITS)
def test_the_pages_preparation_of_a_drawing_agrees_with_python(page, model, digit):
    draw(page, DIGITS[digit])
    data_url = page.evaluate("document.getElementById('pad').toDataURL('image/png')")
    drawing = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1])))
    in_python = preprocess_image(drawing).pixels
    in_page = np.array(page.evaluate("digitnet.prepareDrawing()"), dtype=np.float32)
    assert np.abs(in_page - in_python).max() < PREPARATION_BOUND
    predicted = model.predict_proba(np.stack([in_page, in_python])).argmax(axis=1)
    assert predicted[0] == predicted[1] == digit


def test_the_time_of_each_prediction_while_drawing_is_measured_and_printed(page):
    draw(page, DIGITS[0])
    times = page.evaluate("digitnet.state.times")
    assert len(times) >= 5 and all(t >= 0 for t in times)
    print(
        f"\nprediction while drawing (prepare + forward + saliency + display): median {statistics.median(times):.1f} ms, "
        f"90th percentile {np.percentile(times, 90):.1f} ms over {len(times)} updates"
    )


def test_the_report_with_the_embedded_network_stays_under_3_mb(full_run):
    size = (full_run / "report.html").stat().st_size
    print(f"\nreport.html: {size / 1e6:.2f} MB")
    assert size < 3_000_000


def test_without_javascript_the_rest_of_the_report_reads_normally(browser, full_run):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto((full_run / "report.html").as_uri(), wait_until="load")
    assert page.locator("section#results").is_visible() and page.locator("section#yours").is_visible()
    assert page.locator("#playground noscript").count() == 1
    assert not page.locator("#playground-app").is_visible()
    assert page.evaluate("[...document.images].every(img => img.complete && img.naturalWidth > 0)")
    context.close()
