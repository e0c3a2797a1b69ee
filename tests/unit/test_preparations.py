"""The preparations a digit is read in: as given, plain, photo; the blank page; the page on a desk; the mean of readings."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bench.photolike import photo_like
from bench.realsets import mnist_png, postal_frame
from data_helpers import read_real
from digitnet.data.prepare import normalize
from digitnet.image.load import ImageError
from digitnet.image.mnist import MNIST_STROKE_RATIO
from digitnet.image.morphology import stroke_width
from digitnet.image.page import find_page, straighten
from digitnet.image.plain import as_mnist, plain_digit
from digitnet.preparations import PHOTO_FROM, calibrate, combine, prepare_digit, read_rows, shifted


@pytest.fixture(scope="module")
def test_digits(mnist_path):
    X, y = read_real(mnist_path, "t10k", 300)
    return normalize(X), y


def gray(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32) / 255


def test_an_mnist_digit_saved_as_png_is_read_as_given_in_either_polarity(test_digits):
    X, y = test_digits
    for sample in mnist_png(X, y, 100):
        given = as_mnist(gray(sample.image))
        assert given is not None, sample.name
        index = int(sample.name.split("-")[1])
        # Exactly the array the network was tested on, up to 8-bit rounding.
        assert np.abs(given.pixels - X[index]).max() <= 1 / 255 + 1e-6
        assert prepare_digit(gray(sample.image)).names == ["as given"]


def test_a_28_pixel_digit_off_centre_is_not_taken_as_given(test_digits):
    X, _ = test_digits
    moved = np.roll(X[0].reshape(28, 28), 4, axis=1)
    assert as_mnist(moved) is None
    assert prepare_digit(moved).names == ["plain"]


def test_a_1_stretched_into_a_slab_by_its_frame_is_also_read_with_mnists_strokes():
    slab = np.zeros((16, 16), np.float32)
    slab[:, 4:12] = 1  # a 1 stretched to fill a 16 x 16 scan: as wide as half its height
    made = prepare_digit(slab)
    assert made.names == ["plain", "plain, strokes as MNIST's"]
    plain, strokes = (p.pixels.reshape(28, 28) > 0.5 for p in made.prepared)
    assert plain.any(axis=0).sum() >= 9 and strokes.any(axis=0).sum() <= 6  # a slab, then a bar
    assert stroke_width(strokes) < 2 * MNIST_STROKE_RATIO * 20 < stroke_width(plain)
    assert strokes.any(axis=1).sum() >= 19  # thinned, not shortened: still the 20 px height
    assert "stroke" in made.prepared[1].steps[-3][0]  # the figure shows the change


def test_a_small_scan_is_read_plain_and_a_photo_both_ways(test_digits, rng):
    X, _ = test_digits
    scan = postal_frame(X[1].reshape(28, 28))  # 16 x 16, the digit fills the frame
    assert prepare_digit(scan).names[0] == "plain" and "photo" not in prepare_digit(scan).names
    photo = gray(photo_like(X[1], rng, canvas=300))
    assert max(photo.shape) >= PHOTO_FROM
    assert prepare_digit(photo).names == ["plain", "photo"]


def test_a_digit_that_fills_its_frame_is_not_taken_for_a_blank_page(test_digits):
    X, _ = test_digits
    for levels in X[:50]:
        frame = postal_frame(levels.reshape(28, 28))
        for image in (frame, 1 - frame):  # white on black, and black on white
            prepared = plain_digit(image)
            assert prepared.ink_fraction > 0.05


@pytest.mark.parametrize("side", [8, 28, 300, 1200])
@pytest.mark.parametrize("grain", [0.0, 0.01, 0.04, 0.08])
def test_a_blank_page_of_any_size_and_grain_is_refused(side, grain, rng):
    paper = np.clip(0.8 + rng.normal(0, grain, (side, side)), 0, 1).astype(np.float32)
    with pytest.raises(ImageError, match="no ink found"):
        prepare_digit(paper)


@pytest.mark.parametrize("side", [8, 16, 28, 63])
@pytest.mark.parametrize("light", ["ramp", "steep ramp", "diagonal", "vignette"])
def test_a_small_blank_page_whose_light_fades_across_it_is_still_refused(side, light, rng):
    # The blank check measures marks against the paper's fitted plane: that plane must not make
    # the fading itself, or what is left of a falloff no plane fits (a vignette), into a digit.
    rows, cols = np.mgrid[0:side, 0:side] / (side - 1)
    level = {
        "ramp": 0.65 + 0.25 * cols,
        "steep ramp": 0.4 + 0.55 * cols,
        "diagonal": 0.6 + 0.15 * (rows + cols),
        "vignette": 0.9 - 0.35 * ((rows - 0.5) ** 2 + (cols - 0.5) ** 2),
    }[light]
    for grain in (0.0, 0.01, 0.03):
        paper = np.clip(level + rng.normal(0, grain, level.shape), 0, 1).astype(np.float32)
        for page in (paper, 1 - paper):
            with pytest.raises(ImageError, match="no ink found"):
                prepare_digit(page)


def test_plain_enlarges_a_small_digit_sharply_into_the_20_pixel_box(test_digits):
    X, _ = test_digits
    small = np.asarray(Image.fromarray(X[3].reshape(28, 28)).resize((8, 8), Image.Resampling.BOX))
    pixels = plain_digit(small).pixels.reshape(28, 28)
    rows, cols = np.flatnonzero(pixels.max(axis=1) > 0.1), np.flatnonzero(pixels.max(axis=0) > 0.1)
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 >= 19  # filled the box, not left at 8 px
    assert (pixels > 0.9).mean() > 0.03  # and solid strokes, not a grey smear


def desk_photo(rng: np.random.Generator, angle: float, margin: int | None = None) -> tuple[Image.Image, np.ndarray]:
    """A white page with three dark bars (digits), turned by ``angle`` degrees, on a dark speckled
    desk: the photo (600 x 600, or ``margin`` px wider than the turned page each way) and the
    page's corners in it (4, 2)."""
    page = Image.new("L", (300, 200), 235)
    draw = ImageDraw.Draw(page)
    for left in (60, 130, 200):
        draw.rectangle([left, 70, left + 12, 130], fill=30)
    turned = page.rotate(angle, expand=True, fillcolor=0)
    mask = page.point(lambda _: 255).rotate(angle, expand=True, fillcolor=0)
    width, height = (600, 600) if margin is None else (turned.width + 2 * margin, turned.height + 2 * margin)
    desk = (rng.random((height, width)) * 60).astype(np.uint8)
    photo = Image.fromarray(desk, mode="L")
    offset = ((width - turned.width) // 2, (height - turned.height) // 2)
    photo.paste(turned, offset, mask)
    theta = np.radians(-angle)  # Pillow turns counter-clockwise on screen
    corners = np.array([[-150, -100], [150, -100], [150, 100], [-150, 100]], float)
    turned_corners = corners @ np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
    return photo, turned_corners + [offset[0] + turned.width / 2, offset[1] + turned.height / 2]


@pytest.mark.parametrize("angle", [0.0, 12.0, -25.0])
def test_a_page_on_a_dark_desk_is_found_at_its_corners_and_straightened(angle, rng):
    photo, truth = desk_photo(rng, angle)
    corners = find_page(gray(photo))
    assert corners is not None
    assert np.abs(corners - truth).max() < 8  # pixels, of a 600 px photo
    page = straighten(photo, corners)
    assert abs(page.width - 300) < 10 and abs(page.height - 200) < 10
    inside = gray(page)
    assert np.median(inside) > 0.85  # paper, not desk


@pytest.mark.parametrize("angle", [3.0, -5.0, 8.0])
def test_a_turned_page_that_fills_most_of_the_photo_is_found_between_the_wedges_of_desk(angle, rng):
    # A page photographed close up and a little turned touches the photo's four sides near its
    # corners, the desk showing in wedges between them: 86-90% of the photo is page. Taken for
    # paper that fills the photo, its wedges of desk made the paper look dark and its digits paper.
    photo, truth = desk_photo(rng, angle, margin=2)
    corners = find_page(gray(photo))
    assert corners is not None
    assert np.abs(corners - truth).max() < 6
    assert np.median(gray(straighten(photo, corners))) > 0.85


def test_paper_that_fills_the_photo_is_not_cut_even_with_a_thumb_over_its_edge(test_digits):
    X, _ = test_digits
    rng = np.random.default_rng(5)
    for k in range(10):
        for variant in ("plain", "thumb"):
            assert find_page(gray(photo_like(X[k], rng, variant=variant))) is None


def test_the_answer_is_the_mean_of_the_preparations_of_each_piece():
    P = np.array([[0.9, 0.1], [0.3, 0.7], [0.2, 0.8]], np.float32)
    piece = np.array([0, 0, 1])
    assert np.allclose(combine(P, piece, 2), [[0.6, 0.4], [0.2, 0.8]])


def test_calibrating_keeps_every_answer_and_only_changes_how_sure_it_is(rng):
    P = rng.dirichlet(np.ones(10), size=200).astype(np.float32)  # (200, 10)
    for temperature in (0.5, 1.0, 2.0):
        sure = calibrate(P, temperature)
        assert np.allclose(sure.sum(axis=1), 1, atol=1e-5)
        assert (sure.argmax(axis=1) == P.argmax(axis=1)).all()
    assert np.allclose(calibrate(P, 1.0), P, atol=1e-6)
    assert (calibrate(P, 0.5).max(axis=1) >= P.max(axis=1) - 1e-6).all()  # below 1: surer
    assert (calibrate(P, 2.0).max(axis=1) <= P.max(axis=1) + 1e-6).all()  # above 1: less sure
    # softmax(log P / T) is P ** (1 / T), normalized: a digit at 0.6 beside one at 0.4 becomes 0.36 / 0.52
    assert np.allclose(calibrate(np.array([[0.6, 0.4] + [0.0] * 8], np.float32), 0.5)[0, :2], [0.36 / 0.52, 0.16 / 0.52], atol=1e-5)


def test_each_digit_is_also_read_shifted_a_pixel_each_way():
    digit = np.zeros((28, 28), np.float32)
    digit[10:18, 12:16] = 1
    moves = shifted(digit.reshape(1, 784))
    assert moves.shape == (5, 1, 784)
    centres = [np.argwhere(m.reshape(28, 28)).mean(axis=0) for m in moves[:, 0]]
    assert np.allclose(np.array(centres) - centres[0], [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]])
    # What rolls over the edge is paper, not the other side of the digit.
    edge = np.zeros((1, 784), np.float32)
    edge[0, :28] = 1  # the top row
    assert shifted(edge)[2].reshape(28, 28)[-1].sum() == 0

    def predict(pixels):
        return np.stack([pixels.mean(axis=1), 1 - pixels.mean(axis=1)], axis=1)

    read = read_rows(predict, digit.reshape(1, 784))
    assert read.shape == (1, 2) and np.isclose(read.sum(), 1)
