"""Draw a digit for a convolutional network: the report of a small CNN, and the preset CNN's shape.

The report of a small CNN trained by the workflow (tests/data_helpers.SMALL_CNN on 3,000
images) is opened from disk in headless Chromium: drawn digits are read right, the feature
maps of each convolution change while drawing, switching off a filter changes the
probabilities, and the page's forward pass and saliency agree with NumPy. The preset CNN
(conv 5x5x32, pool, conv 5x5x64, pool, dense 128), randomly initialised, is put into a copy of
that report in place of the small one, as the export_network rule would write it: the report's
size, the agreement with NumPy and the time of each update while drawing are checked and printed.
"""

import os
import re
import statistics

import numpy as np
import pytest
from playground_page import DIGITS, draw, embedded, saliency_error, shown_probabilities

from conftest import ARTIFACTS, FEATURED, TIMEOUT_MS
from digitnet.data.formats import read_idx_images
from digitnet.data.prepare import normalize
from digitnet.export import network_json
from digitnet.model import CNN_PRESET, build_stack, load_model

REPORT_LIMIT = 5_000_000  # bytes, for the report of the preset CNN
NETWORK_BLOCK = re.compile(r'(<script type="application/json" id="network">)(\{.*?)(</script>)', re.DOTALL)
# Each conv layer's shown feature maps as pixels: {layer index: [RGBA bytes of each map]}.
MAP_PIXELS = """(() => {
    const maps = {};
    for (const canvas of document.querySelectorAll('#layers canvas.map')) {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        (maps[canvas.dataset.layer] = maps[canvas.dataset.layer] || []).push(Array.from(data));
    }
    return maps;
})()"""


def open_report(browser, path):
    """A page showing ``path``'s playground, with its console errors and every URL it asked for."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.errors, page.requests = [], []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    page.locator("#pad").scroll_into_view_if_needed()
    return page


@pytest.fixture(scope="module")
def test_digits(mnist_path) -> np.ndarray:
    return normalize(read_idx_images(mnist_path / "t10k-images-idx3-ubyte.gz")[:100])


@pytest.fixture(scope="module")
def model(cnn_run):
    return load_model(cnn_run / FEATURED / "weights.npz")


@pytest.fixture(scope="module")
def page(cnn_run, browser):
    page = open_report(browser, cnn_run / "report.html")
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def preset():
    return build_stack(CNN_PRESET, 10, np.random.default_rng(0))


@pytest.fixture(scope="module")
def preset_report(cnn_run, preset, tmp_path_factory):
    """The CNN report with the preset CNN's network in place of the small CNN's."""
    html = (cnn_run / "report.html").read_text()
    assert len(NETWORK_BLOCK.findall(html)) == 1
    network = embedded(network_json(preset))
    path = tmp_path_factory.mktemp("preset") / "report.html"
    path.write_text(NETWORK_BLOCK.sub(lambda match: match[1] + network + match[3], html))
    return path


def in_page_probabilities(page, X: np.ndarray) -> np.ndarray:
    return np.array(page.evaluate("digits => digits.map(x => digitnet.predict(x))", X.tolist()))


@pytest.mark.parametrize("digit", DIGITS)
def test_a_drawn_digit_is_read_and_every_conv_layer_shows_its_maps(page, digit):
    draw(page, DIGITS[digit])
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#playground").screenshot(path=ARTIFACTS / f"playground-cnn-{digit}.png")
    assert page.locator("#answer").get_attribute("data-digit") == str(digit)
    assert int(np.argmax(shown_probabilities(page))) == digit
    maps = page.evaluate(MAP_PIXELS)
    conv_layers = page.evaluate("digitnet.network.filter(l => l.type === 'conv2d').map(l => String(l.index))")
    assert sorted(maps) == sorted(conv_layers) and len(conv_layers) == 2
    for layer in conv_layers:
        assert any(set(pixels) != {255} for pixels in maps[layer]), f"no feature map of layer {layer} is lit"
    assert page.errors == []


def test_the_feature_maps_of_each_conv_layer_change_while_drawing(page):
    page.click("#clear")
    box = page.locator("#pad").bounding_box()
    at = lambda x, y: (box["x"] + x * box["width"], box["y"] + y * box["height"])  # noqa: E731
    (x0, y0), (x1, y1) = DIGITS[7][0]
    page.mouse.move(*at(x0, y0))
    page.mouse.down()
    page.mouse.move(*at(x1, y1), steps=6)
    page.wait_for_function("digitnet.state.result !== null")
    during = page.evaluate(MAP_PIXELS)
    x2, y2 = DIGITS[7][1][1]
    page.mouse.move(*at(x2, y2), steps=6)
    page.wait_for_timeout(100)  # a frame for the throttled update
    after = page.evaluate(MAP_PIXELS)
    page.mouse.up()
    assert sorted(during) == sorted(after)
    for layer in during:
        assert during[layer] != after[layer], f"the maps of layer {layer} did not change while drawing"


def test_switching_off_a_filter_changes_the_probabilities_and_reset_restores_them(page):
    draw(page, DIGITS[7])
    before = shown_probabilities(page)
    # The shown filter of the second convolution with the most activation.
    layer, unit = page.evaluate(
        """(() => {
            const net = digitnet.network, conv = net.filter(l => l.type === 'conv2d')[1], maps = digitnet.state.result.outputs[conv.shownAt];
            const plane = maps.length / conv.F;
            let best = null, bestSum = -1;
            for (const canvas of document.querySelectorAll(`#layers canvas.map[data-layer="${conv.index}"]`)) {
                const f = Number(canvas.dataset.unit);
                let sum = 0;
                for (let i = f * plane; i < (f + 1) * plane; i++) sum += Math.abs(maps[i]);
                if (sum > bestSum) { bestSum = sum; best = f; }
            }
            return [conv.index, best];
        })()"""
    )
    selector = f"#layers canvas.map[data-layer='{layer}'][data-unit='{unit}']"
    page.click(selector)
    after = shown_probabilities(page)
    assert "off" in page.locator(selector).get_attribute("class").split()
    assert np.abs(np.array(after) - np.array(before)).max() > 1e-4, (before, after)
    assert page.evaluate(
        f"(() => {{ const o = digitnet.state.result.outputs[digitnet.network[{layer}].shownAt], n = o.length / digitnet.network[{layer}].F; return o.slice({unit} * n, ({unit} + 1) * n).every(v => v === 0); }})()"
    )
    page.locator("#playground").screenshot(path=ARTIFACTS / "playground-cnn-filter-off.png")
    page.click("#reset")
    assert shown_probabilities(page) == pytest.approx(before, abs=1e-9)
    assert page.errors == []


def test_the_pages_forward_pass_and_saliency_agree_with_numpy_on_100_test_digits(page, model, test_digits):
    in_page = in_page_probabilities(page, test_digits)
    in_numpy = model.predict_proba(test_digits)
    assert np.array_equal(in_page.argmax(axis=1), in_numpy.argmax(axis=1))
    assert np.abs(in_page - in_numpy).max() < 1e-4
    print(f"\nsmall CNN, page against NumPy: largest difference in probability {np.abs(in_page - in_numpy).max():.1e}")
    assert saliency_error(page, model, test_digits) < 1e-4


def test_the_page_fetches_nothing(page):
    draw(page, DIGITS[1])
    report = page.url
    assert page.requests and all(url == report or url.startswith("data:") for url in page.requests), set(page.requests)


def test_the_preset_cnn_report_stays_under_5_mb_and_agrees_with_numpy(preset_report, preset, browser, test_digits):
    size = preset_report.stat().st_size
    print(f"\nreport.html with the preset CNN: {size / 1e6:.2f} MB")
    assert size <= REPORT_LIMIT
    page = open_report(browser, preset_report)
    in_page = in_page_probabilities(page, test_digits)
    in_numpy = preset.predict_proba(test_digits)
    assert np.array_equal(in_page.argmax(axis=1), in_numpy.argmax(axis=1))
    assert np.abs(in_page - in_numpy).max() < 1e-4
    assert page.evaluate("document.querySelectorAll('#layers canvas.map').length") == 16
    page.context.close()


def test_the_time_of_each_update_while_drawing_the_preset_cnn_is_measured_and_printed(preset_report, browser):
    page = open_report(browser, preset_report)
    for digit in DIGITS:
        draw(page, DIGITS[digit])
    times = page.evaluate("digitnet.state.times")
    assert len(times) >= 15 and all(t >= 0 for t in times) and page.errors == []
    print(
        f"\npreset CNN, each update while drawing (prepare + forward + feature maps + saliency + display): "
        f"median {statistics.median(times):.1f} ms, 90th percentile {np.percentile(times, 90):.1f} ms over {len(times)} updates "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    page.context.close()
