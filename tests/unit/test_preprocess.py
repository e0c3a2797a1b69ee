"""Each stage of the MNIST-style preprocessing, on images made for the purpose, and the whole chain on photo-like digits."""

import contextlib
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from bench.photolike import VARIANTS, photo_like
from data_helpers import read_real
from digitnet.data.prepare import normalize
from digitnet.image.ink import paper_closing, paper_estimate
from digitnet.image.morphology import box_blur, sliding_max
from digitnet.preprocess import (
    MNIST_STROKE_RATIO,
    ImageError,
    apply_exif_orientation,
    center_by_mass,
    center_of_mass,
    crop_to_ink,
    drop_blobs,
    drop_edge_clutter,
    drop_faint,
    drop_shade,
    drop_specks,
    flatten_lighting,
    flatten_transparency,
    keep_near_digit,
    label_components,
    level_inside,
    normalize_stroke,
    open_image,
    otsu_threshold,
    paper_is_bright,
    paste_centered,
    preprocess_file,
    preprocess_image,
    remove_lines,
    scale_to_box,
    separate_ink,
    stroke_width,
    to_grayscale,
)


def bar_image(height=60, width=40, paper=0.9, ink=0.1) -> np.ndarray:
    """Gray paper with a dark vertical bar 6 px wide: (H, W) in [0, 1]."""
    gray = np.full((height, width), paper, dtype=np.float32)
    gray[10:50, 17:23] = ink
    return gray


def test_exif_orientation_turns_the_picture_upright():
    image = Image.new("L", (40, 20), 255)  # wide
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    buffer.seek(0)
    assert apply_exif_orientation(Image.open(buffer)).size == (20, 40)


def test_transparent_background_becomes_white_paper():
    rgba = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    rgba.putpixel((1, 1), (0, 0, 0, 255))
    gray = to_grayscale(flatten_transparency(rgba))
    assert gray[0, 0] == 1.0 and gray[1, 1] == 0.0


def test_bright_and_dark_paper_are_told_apart_even_in_dim_light():
    assert paper_is_bright(bar_image(paper=0.9, ink=0.1))
    assert paper_is_bright(bar_image(paper=0.35, ink=0.05))  # a dim photo of white paper
    assert not paper_is_bright(bar_image(paper=0.1, ink=0.9))  # chalk on a board


def test_flattening_removes_a_lighting_gradient():
    gray = bar_image(paper=1.0, ink=0.2) * np.linspace(0.5, 1.0, 40, dtype=np.float32)[None, :]
    flat = flatten_lighting(gray, bright_paper=True)
    paper = np.ones_like(flat, dtype=bool)
    paper[5:55, 12:28] = False
    assert np.ptp(gray[paper]) > 0.4  # before: half as bright on the left
    assert np.ptp(flat[paper]) < 0.1  # after: even paper
    assert flat[30, 20] < 0.4  # the ink stays dark


def test_otsu_threshold_splits_two_clusters():
    values = np.concatenate([np.full(900, 0.1), np.full(100, 0.8)])
    assert 0.1 < otsu_threshold(values) < 0.8


def test_ink_separation_keeps_gray_levels_and_rejects_a_blank_page():
    ink = np.zeros((30, 30), np.float32)
    ink[5:25, 10:14] = 0.8
    ink[5:25, 14:15] = 0.5  # an anti-aliased edge
    kept, mask, _ = separate_ink(ink)
    assert kept[10, 12] == pytest.approx(1.0) and 0.5 < kept[10, 14] < 1.0
    assert kept[0, 0] == 0 and mask.sum() == 20 * 5
    with pytest.raises(ImageError, match="no ink found: the page looks blank"):
        separate_ink(np.full((30, 30), 0.05, np.float32) + np.random.default_rng(0).normal(0, 0.01, (30, 30)).astype(np.float32))


def test_on_a_sheet_the_inks_level_and_the_specks_size_are_measured_away_from_the_pages_edge():
    # A page photographed a little turned: its edge, black and long, runs along the border; the
    # pen's digits are greyer and far smaller. Measured against the edge, they were faint ink and
    # specks; measured on what lies inside, they are the ink.
    ink = np.zeros((100, 100), np.float32)
    ink[:, 0:3] = 1.0  # the page's edge, at the border
    ink[30:50, 40:43] = 0.5  # a 1 in grey pen
    ink[30:50, 60:63] = 0.5
    alone, mask, _ = separate_ink(ink)
    assert alone[40, 41] == pytest.approx(0.5)  # faint beside the edge
    sheet = level_inside(alone, mask)
    assert sheet[40, 41] == pytest.approx(1.0)  # solid ink, as the digits' own level
    _, kept = drop_specks(sheet, mask, min_share=0.25, inner=True)
    assert kept[30:50, 40:43].all() and kept[30:50, 60:63].all() and kept[:, 0:3].all()
    _, kept = drop_specks(sheet, mask, min_share=0.25)
    assert not kept[30:50, 40:43].any()  # 60 px, under a quarter of the edge's 300: a speck


def test_a_loop_drawn_one_pixel_wide_is_a_loop_though_its_line_steps_diagonally():
    """A thin pen's loop, small in a sheet's photo, is a line one pixel wide that steps from
    pixel to pixel at the corners: the paper inside touches the paper outside only there."""
    from digitnet.image.mnist import loops

    rows, cols = np.mgrid[:21, :21]
    diamond = np.abs(rows - 10) + np.abs(cols - 10) == 8  # a closed 8-connected line, every step diagonal
    assert len(np.unique(label_components(diamond))) == 2  # the ink: one piece
    assert len(np.unique(label_components(~diamond, neighbourhood=4))) == 3  # the paper: inside and outside
    assert len(np.unique(label_components(~diamond))) == 2  # joined across the corners, it would be one
    assert loops(diamond, 4) == (1, int((np.abs(rows - 10) + np.abs(cols - 10) < 8).sum()))


def flood_fill_labels(mask: np.ndarray, neighbourhood: int) -> np.ndarray:
    """The plain reference for label_components: from each unlabelled set pixel, in raster order,
    a breadth-first fill labels its component with the pixel's flat index plus one."""
    height, width = mask.shape
    steps = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0) and (neighbourhood == 8 or dy == 0 or dx == 0)]
    labels = np.zeros(mask.shape, dtype=np.int64)
    for y, x in zip(*np.nonzero(mask), strict=True):
        if labels[y, x]:
            continue
        labels[y, x] = y * width + x + 1
        queue = [(y, x)]
        while queue:
            cy, cx = queue.pop()
            for dy, dx in steps:
                ny, nx = cy + dy, cx + dx
                if 0 <= ny < height and 0 <= nx < width and mask[ny, nx] and not labels[ny, nx]:
                    labels[ny, nx] = labels[y, x]
                    queue.append((ny, nx))
    return labels


@pytest.mark.parametrize("neighbourhood", [8, 4])
def test_components_are_labelled_as_a_flood_fill_labels_them(neighbourhood):
    """Random masks from nearly empty to nearly full, spirals and one-pixel rows and columns."""
    rng = np.random.default_rng(5)
    masks = [rng.random(rng.integers(1, 40, 2)) < density for density in np.linspace(0.02, 0.98, 60)]
    rows, cols = np.mgrid[:41, :41]
    masks.append(np.sin(np.hypot(rows - 20, cols - 20) + np.arctan2(rows - 20, cols - 20)) > 0.3)  # a spiral
    masks += [np.ones((1, 7), bool), np.ones((7, 1), bool), np.zeros((5, 5), bool), np.eye(9, dtype=bool)[::-1]]
    for mask in masks:
        np.testing.assert_array_equal(label_components(mask, neighbourhood), flood_fill_labels(mask, neighbourhood))


def test_components_are_labelled_and_specks_dropped():
    mask = np.zeros((20, 20), bool)
    mask[2:15, 3:6] = True  # a stroke of 39 px
    mask[2:4, 10:12] = True  # a 4 px speck
    mask[16:18, 3:9] = True  # a second stroke of 12 px (kept: a 5's bar)
    labels = label_components(mask)
    assert len(np.unique(labels[mask])) == 3
    ink, kept = drop_specks(mask.astype(np.float32), mask, min_share=0.2)
    assert kept[2:15, 3:6].all() and kept[16:18, 3:9].all() and not kept[2:4, 10:12].any()


def test_crop_keeps_only_the_inks_bounding_box():
    mask = np.zeros((20, 30), bool)
    mask[4:9, 10:22] = True
    ink, cropped = crop_to_ink(mask.astype(np.float32), mask)
    assert ink.shape == (5, 12) and cropped.all()


def test_stroke_width_measures_a_bar_and_far_off_strokes_are_brought_near_mnist():
    mask = np.zeros((100, 100), bool)
    mask[10:90, 45:51] = True  # 6 px wide
    assert stroke_width(mask) == pytest.approx(6, rel=0.1)
    thin = np.zeros((100, 100), np.float32)
    thin[10:90, 49:51] = 1  # 2 px on a 100 px digit: far thinner than MNIST's 14%
    thickened, before, after = normalize_stroke(thin, thin > 0)
    assert before == pytest.approx(2, rel=0.1)
    assert MNIST_STROKE_RATIO * 100 / 2 <= after <= MNIST_STROKE_RATIO * 100 * 2
    blob = np.ones((100, 100), np.float32)  # a solid blob: "width" 50 px, over 3x MNIST's 14 px
    thinned, before, after = normalize_stroke(blob, blob > 0)
    assert before > 3 * MNIST_STROKE_RATIO * 100 and after < before - 10
    assert (thinned > 0.5).mean() >= 0.3  # thinning stops before it erases most of the ink
    ordinary = np.zeros((100, 100), np.float32)
    ordinary[10:90, 40:60] = 1  # 20 px: near MNIST's width, left alone
    assert normalize_stroke(ordinary, ordinary > 0)[0] is ordinary


def test_digit_is_scaled_into_20_pixels_keeping_its_shape_and_centered_by_mass():
    tall = np.zeros((100, 50), np.float32)
    tall[:, 20:30] = 1
    digit = scale_to_box(tall)
    assert digit.shape == (20, 10)
    canvas = paste_centered(digit)
    assert canvas.shape == (28, 28)
    lopsided = np.zeros((28, 28), np.float32)
    lopsided[5:10, 3:8] = 1
    row, col = center_of_mass(center_by_mass(lopsided))
    assert row == pytest.approx(14.0, abs=0.05) and col == pytest.approx(14.0, abs=0.05)


def test_unreadable_files_give_clear_errors(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        open_image(tmp_path / "gone.png")
    (tmp_path / "album.png").mkdir()
    with pytest.raises(ImageError, match="a folder, not an image file"):
        open_image(tmp_path / "album.png")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ImageError, match="the file is empty"):
        open_image(tmp_path / "empty.png")
    (tmp_path / "notes.png").write_text("this is not an image")
    with pytest.raises(ImageError, match="not an image"):
        open_image(tmp_path / "notes.png")
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buffer, format="PNG")
    (tmp_path / "cut.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(ImageError, match="corrupt or truncated"):
        open_image(tmp_path / "cut.png")
    Image.new("1", (9000, 9000)).save(tmp_path / "bomb.png")  # 81 megapixels, a few kB on disk
    with pytest.raises(ImageError, match=r"81 megapixels\), more than the 40 allowed"):
        open_image(tmp_path / "bomb.png", max_megapixels=40)


def test_photo_like_digits_are_read_as_the_originals(mnist_path, model_for_photos):
    x, y = read_real(mnist_path, "t10k", 200)
    X = normalize(x)
    rng = np.random.default_rng(7)
    prepared = np.stack([preprocess_image(photo_like(X[i], rng)).pixels for i in range(len(X))])
    original = (model_for_photos.predict_proba(X).argmax(axis=1) == y).mean()
    photos = (model_for_photos.predict_proba(prepared).argmax(axis=1) == y).mean()
    print(f"original {original:.1%}, photo-like {photos:.1%}")
    # The 3-point bar for the default model is measured by scripts/bench/handwriting.py on
    # 2,000 digits; on 200 digits and a briefly trained network, 5 points allows for sampling noise.
    assert photos >= original - 0.05, (original, photos)


def test_a_broad_shadow_at_the_edge_divides_out_with_the_lighting():
    gray = bar_image(height=160, width=160, paper=0.9, ink=0.1)
    gray[:, :50] *= 0.35  # a thumb's shadow over the left third, wider than the window
    flat = flatten_lighting(gray, bright_paper=True)
    assert flat[80, 10] > 0.9 and flat[80, 47] > 0.8  # paper in the shadow, up to its edge, is paper again
    assert flat[30, 20] < 0.4  # the stroke stays dark


def test_smaller_ink_on_the_border_goes_but_a_digit_touching_the_border_stays():
    mask = np.zeros((60, 60), bool)
    mask[10:50, 25:31] = True  # the digit, inside
    mask[40:60, 0:4] = True  # the edge of a thumb, on the border
    ink, kept = drop_edge_clutter(mask.astype(np.float32), mask)
    assert kept[10:50, 25:31].all() and not kept[40:60, 0:4].any() and ink[45, 2] == 0
    alone = np.zeros((60, 60), bool)
    alone[0:40, 25:31] = True  # a digit running into the top edge, with a speck inside
    alone[50:52, 10:12] = True
    assert drop_edge_clutter(alone.astype(np.float32), alone)[1][0:40, 25:31].all()


def digit_png(tmp_path, X, mode: str, name: str):
    """The first test digit as dark ink on light paper, 112 x 112, saved in a high-depth mode."""
    ink = np.asarray(Image.fromarray((X[0].reshape(28, 28) * 255).astype(np.uint8)).resize((112, 112)), np.float32) / 255
    gray = 0.9 - 0.8 * ink
    if mode == "I;16":
        image = Image.fromarray((gray * 65535).astype(np.uint16))
        assert image.mode == "I;16"
    elif mode == "F255":
        image = Image.fromarray((gray * 255).astype(np.float32), mode="F")
    else:
        image = Image.fromarray(gray.astype(np.float32), mode="F")
    path = tmp_path / name
    image.save(path)
    return path, gray


@pytest.mark.parametrize(("mode", "name"), [("I;16", "digit16.png"), ("F", "digit.tif"), ("F255", "digit255.tif")])
def test_sixteen_bit_and_float_images_are_read_by_their_real_range(tmp_path, mnist_path, mode, name):
    x, _ = read_real(mnist_path, "t10k", 1)
    path, gray = digit_png(tmp_path, normalize(x), mode, name)
    image = open_image(path)
    assert np.abs(to_grayscale(image) - gray).max() < 1e-3  # today's 8-bit conversion gave a white page
    eight_bit = tmp_path / "digit8.png"
    Image.fromarray((gray * 255).round().astype(np.uint8)).save(eight_bit)
    result, view = preprocess_file(path)
    same, _ = preprocess_file(eight_bit)
    assert np.abs(result.pixels - same.pixels).max() < 0.05
    assert view.dtype == np.uint8 and abs(int(view[0, 0, 0]) - round(0.9 * 255)) <= 2


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width x height 1-bit pixels but holds almost no data (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def test_a_400_megapixel_image_is_refused_with_its_true_size(tmp_path):
    (tmp_path / "huge.png").write_bytes(png_header(20000, 20000))
    with pytest.raises(ImageError, match=r"20000 x 20000 pixels \(400 megapixels\), more than the 40 allowed"):
        open_image(tmp_path / "huge.png", max_megapixels=40)


# scripts/bench/handwriting.py measures every variant on more digits (docs/results.md).
@pytest.mark.parametrize("variant", [v for v in VARIANTS if v != "plain"])
def test_each_kind_of_paper_and_pen_is_read_as_the_originals(mnist_path, model_for_photos, variant):
    """Ruled and squared paper, pencil, show-through, a digit at the border, thin ballpoint,
    coloured paper and a thumb's shadow: each photo-like variant is read about as well as the
    original digits."""
    x, y = read_real(mnist_path, "t10k", 100)
    X = normalize(x)
    rng = np.random.default_rng(17)
    backs = X[::-1]  # another digit shows through from the back
    prepared = np.zeros_like(X)  # a photo refused as blank (the faintest pencil) counts as misread
    for i in range(len(X)):
        with contextlib.suppress(ImageError):
            prepared[i] = preprocess_image(photo_like(X[i], rng, variant=variant, back=backs[i])).pixels
    original = (model_for_photos.predict_proba(X).argmax(axis=1) == y).mean()
    photos = (model_for_photos.predict_proba(prepared).argmax(axis=1) == y).mean()
    print(f"{variant}: original {original:.0%}, photo-like {photos:.0%}")
    assert photos >= original - 0.05, (original, photos)


def test_a_thin_pens_small_loop_stays_open_when_its_strokes_are_thickened():
    """A 9 written with a thin pen, its loop a quarter of its height: thickened to MNIST's width,
    the loop would fill and the 9 read as a 1 (real sheets of real_digits_dev did)."""
    from digitnet.image.mnist import KEEP_LOOPS, loops

    rows, cols = np.mgrid[:100, :44]
    ring = np.abs(np.hypot(rows - 16, cols - 20) - 12) < 1.2  # the loop: 24 px across, a 2 px line
    nine = (ring | ((cols >= 31) & (cols <= 32) & (rows >= 16) & (rows < 98))).astype(np.float32)
    drawn, opening = loops(nine > 0.5, 4)
    assert drawn == 1
    thickened, before, after = normalize_stroke(nine, nine > 0)
    assert after > before + 1  # thickened ...
    count, paper = loops(thickened > 0.5, after**2)
    assert count == 1 and paper >= KEEP_LOOPS * opening  # ... while its loop stays open
    assert after < MNIST_STROKE_RATIO * 100  # short of MNIST's width, which would have shut it
    nine = np.where(np.hypot(rows - 16, cols - 20) < 13.2, 1.0, nine).astype(np.float32)  # the loop filled in
    assert loops(nine > 0.5, 4)[0] == 0 and normalize_stroke(nine, nine > 0)[2] > 2 * before  # nothing to keep open


def test_thickening_stops_at_the_round_nearest_mnists_width():
    """A 3 drawn 35 px tall with a 2 px pen (a sheet's digit at its work size) needs 4.9 px: one
    round of dilation takes it to about 4.7, a second to about 6.4. The second, past MNIST's
    width and farther from it, is not taken: on a real sheet of real_digits_dev it shut a 3's
    bowls, and the 3 read as a 0."""
    rows, cols = np.mgrid[:35, :21]
    upper = (np.abs(np.hypot(rows - 9, cols - 10) - 8) < 1.0) & ~((cols < 10) & (rows > 5) & (rows < 17))
    lower = (np.abs(np.hypot(rows - 25, cols - 10) - 9) < 1.0) & ~((cols < 10) & (rows > 19) & (rows < 30))
    three = (upper | lower).astype(np.float32)
    target = MNIST_STROKE_RATIO * 35
    widths, rounds = [stroke_width(three > 0.5)], three
    while widths[-1] < target:  # every round up to the first at or past MNIST's width
        rounds = sliding_max(np.pad(rounds, 1), 3)[1:-1, 1:-1]
        widths.append(stroke_width(rounds > 0.5))
    assert len(widths) == 3  # two rounds reach it ...
    thickened, before, after = normalize_stroke(three, three > 0)
    assert before == widths[0] and after == min(widths, key=lambda width: abs(width - target))  # ... the first is nearer
    assert after == widths[1] and stroke_width(thickened > 0.5) == after


def test_printed_lines_as_dark_as_the_ink_are_removed_without_cutting_the_strokes_they_cross(mnist_path):
    from bench.photolike import ruled_lines

    x, _ = read_real(mnist_path, "t10k", 4)
    X = normalize(x)
    rng = np.random.default_rng(2)
    for index, digit in enumerate(X):
        ink = np.asarray(
            Image.fromarray((digit.reshape(28, 28) * 255).astype(np.uint8)).resize((200, 200), Image.Resampling.BICUBIC)
        )
        canvas = np.zeros((400, 400), np.float32)
        canvas[100:300, 120:320] = ink / 255
        lines = ruled_lines(canvas.shape, 45, rng, vertical=False)  # tilted up to 2 degrees
        if index % 2:
            lines = np.maximum(lines, ruled_lines(canvas.shape, 45, rng, vertical=True))  # squared paper
        lined = preprocess_image(Image.fromarray(((0.9 - 0.75 * np.maximum(canvas, 0.8 * lines)) * 255).astype(np.uint8)))
        clean = preprocess_image(Image.fromarray(((0.9 - 0.75 * canvas) * 255).astype(np.uint8)))
        assert any(note.startswith("printed lines removed") for note in lined.notes)
        assert np.corrcoef(lined.pixels, clean.pixels)[0, 1] > 0.95


def test_a_stroke_crossing_a_line_stays_whole():
    mask = np.zeros((100, 100), bool)
    mask[50:52, :] = mask[85:87, :] = True  # two ruled lines across the image
    mask[20:80, 40:46] = True  # a stroke through the first
    ink, kept, removed = remove_lines(mask.astype(np.float32), mask)
    assert kept[20:80, 40:46].all()  # the stroke is not cut where it crosses the line
    assert not kept[50:52, :30].any() and not kept[50:52, 60:].any() and not kept[85:87].any() and removed >= 380
    assert len(np.unique(label_components(kept))) == 2  # background and one stroke


def test_ruled_lines_that_converge_in_perspective_go_in_rounds():
    # A ruled page photographed at a slant: its lines tilt from -1 to +1 degree down the page. A
    # round of removal takes the lines of one tilt; a thin line a tilt step away drifts off its rows.
    mask = np.zeros((400, 640), bool)
    columns = np.arange(640)
    for k, top in enumerate(range(20, 400, 24)):
        rows = np.round(top + (-0.0175 + 0.035 * k / 15) * (columns - 320)).astype(int)
        inside = (rows >= 0) & (rows < 399)
        mask[rows[inside], columns[inside]] = mask[rows[inside] + 1, columns[inside]] = True
    lines = int(mask.sum())
    mask[100:300, 300:306] = True  # a stroke down across them
    _, kept, removed = remove_lines(mask.astype(np.float32), mask)
    assert kept[100:300, 300:306].all()
    # What stays of the lines are stubs where a line steps a row at its band's edge (one round:
    # 62% of them).
    assert kept[:, :290].sum() + kept[:, 316:].sum() < 0.1 * lines


@pytest.mark.parametrize("turn", [0, 1, 2, 3])
def test_a_digits_own_long_straight_strokes_are_not_taken_for_printed_lines(turn):
    # A 7 that fills its crop: its bar covers 70% of the width and its stem 90% of the height,
    # each as thin and straight as a printed line, but each ends where the other turns off it.
    seven = np.zeros((200, 160), bool)
    seven[10:13, 20:132] = seven[100:103, 20:132] = True  # the bar, and a second one (a 7 with a crossbar)
    seven[10:190, 129:132] = True  # the stem, from the bar's right end down
    # A 1 drawn down a whole crop is one long line, crossed by none: printed lines come in sets.
    one = np.zeros((200, 160), bool)
    one[5:195, 78:81] = True
    for digit in (seven, one):
        digit = np.rot90(digit, turn)
        _, kept, removed = remove_lines(digit.astype(np.float32), digit)
        assert removed == 0 and (kept == digit).all()
    # Lines that end free (two across the page, short of both edges) or run from edge to edge (two
    # down it) are printed lines, all but where they cross.
    lines = np.zeros((200, 160), bool)
    lines[10:13, 16:140] = lines[60:63, 16:140] = True
    lines[:, 80:83] = lines[:, 120:123] = True
    lines[120:140, 40:56] = True  # a blot of ink beside the lines, touching none
    left = np.zeros_like(lines)  # what must stay: where the lines cross, and the blot
    left[10:13, 80:83] = left[10:13, 120:123] = left[60:63, 80:83] = left[60:63, 120:123] = True
    left[120:140, 40:56] = True
    lines, left = np.rot90(lines, turn), np.rot90(left, turn)
    _, kept, removed = remove_lines(lines.astype(np.float32), lines)
    assert (kept == left).all()
    # A form's box: four sides that meet in corners are printed lines too. The 1 written in it
    # stays, and so does a 4's bar nearly half as wide as the box: it covers half of the width
    # only with the box's sides that its band crosses.
    box = np.zeros((200, 160), bool)
    box[10:13, 10:150] = box[187:190, 10:150] = box[10:190, 10:13] = box[10:190, 147:150] = True
    box[60:140, 70:74] = box[95:98, 40:117] = True
    left = np.zeros_like(box)
    left[60:140, 70:74] = left[95:98, 40:117] = True
    left[10:13, 10:13] = left[10:13, 147:150] = left[187:190, 10:13] = left[187:190, 147:150] = True  # where sides meet
    box, left = np.rot90(box, turn), np.rot90(left, turn)
    _, kept, removed = remove_lines(box.astype(np.float32), box)
    assert (kept == left).all()


def test_a_line_or_a_dash_is_told_from_every_mnist_digit(mnist_path):
    from digitnet.image.lines import is_a_line

    page = np.zeros((200, 400), bool)
    for tilt in (-0.04, 0.0, 0.03):  # a printed rule across the page, tilted up to about 2 degrees
        rule = page.copy()
        columns = np.arange(400)
        for thickness in range(3):
            rule[np.round(100 + tilt * (columns - 200)).astype(int) + thickness, columns] = True
        assert is_a_line(rule)
    dash = page.copy()
    dash[90:96, 150:220] = True
    assert is_a_line(dash)
    one, blot = page.copy(), page.copy()
    one[20:180, 200:206] = True  # a 1 runs down the rows
    blot[60:120, 150:210] = True  # a blot is as thick as it is long
    assert not is_a_line(one) and not is_a_line(blot)
    x, _ = read_real(mnist_path, "t10k", 2000)
    digits = normalize(x).reshape(-1, 28, 28)
    assert not any(is_a_line(digit > level) for digit in digits for level in (0.1, 0.5))


def test_faint_ink_showing_through_from_the_back_is_dropped_and_the_digit_kept(mnist_path):
    x, _ = read_real(mnist_path, "t10k", 6)
    X = normalize(x)
    for front, back in ((0, 3), (1, 4), (2, 5)):
        canvas = np.zeros((300, 300), np.float32)
        canvas[40:180, 30:170] = (
            np.asarray(Image.fromarray((X[front].reshape(28, 28) * 255).astype(np.uint8)).resize((140, 140))) / 255
        )
        ghost = np.zeros_like(canvas)
        mirrored = (X[back].reshape(28, 28)[:, ::-1] * 255).astype(np.uint8)
        ghost[140:280, 150:290] = np.asarray(Image.fromarray(mirrored).resize((140, 140))) / 255
        clean = preprocess_image(Image.fromarray(((0.9 - 0.8 * canvas) * 255).astype(np.uint8)))
        seen = preprocess_image(Image.fromarray(((0.9 - 0.8 * np.maximum(canvas, 0.4 * ghost)) * 255).astype(np.uint8)))
        assert np.corrcoef(clean.pixels, seen.pixels)[0, 1] > 0.97


def test_hysteresis_keeps_light_edges_joined_to_strong_ink_and_drops_light_pieces_alone():
    ink = np.zeros((40, 40), np.float32)
    ink[5:35, 10:14] = 1.0  # a solid stroke
    ink[5:35, 14:16] = 0.3  # its light edge
    ink[5:35, 25:29] = 0.3  # a light stroke on its own
    kept, mask = drop_faint(ink, ink > 0.1)
    assert mask[5:35, 10:16].all() and not mask[:, 25:29].any() and kept[10, 15] == pytest.approx(0.3)


def test_stroke_widths_of_all_pieces_at_once_equal_each_pieces_own():
    from digitnet.image.morphology import label_components, stroke_width, stroke_widths

    mask = np.zeros((50, 50), bool)
    mask[5:45, 5:8] = True  # a thin bar
    mask[10:30, 20:40] = True  # a square
    mask[40:44, 20:48] = True  # a flat bar
    labels = label_components(mask)
    widths = stroke_widths(labels)
    assert [widths[k] for k in range(1, labels.max() + 1)] == pytest.approx(
        [stroke_width(labels == k) for k in range(1, labels.max() + 1)]
    )


def test_a_pens_line_that_runs_light_stays_while_a_broad_light_ghost_beside_it_goes():
    ink = np.zeros((60, 60), np.float32)
    ink[5:25, 10:14] = 1.0  # a solid stroke ...
    ink[25:55, 10:14] = 0.3  # ... that runs on light, far beyond its soft edge: the pen's own line
    ink[6:22, 14:44] = 0.3  # a broad light ghost, touching the solid part's other side
    kept, mask = drop_faint(ink, ink > 0.1)
    assert mask[5:55, 10:14].all() and not mask[6:22, 20:44].any()


def test_hysteresis_keeps_a_thin_line_whole_where_it_runs_lighter_than_the_threshold():
    ink = np.full((80, 80), 0.02, np.float32)
    ink[10:70, 38:41] = 0.8  # a thin pen's line ...
    ink[35:45, 38:41] = 0.3  # ... lighter than Otsu's threshold for a stretch
    _, broken, threshold = separate_ink(ink)
    assert 0.3 < threshold and not broken[35:45, 38:41].any()
    _, whole, _ = separate_ink(ink, weak_share=0.5)
    assert whole[10:70, 38:41].all() and whole.sum() == 60 * 3


def test_a_digit_broken_into_pieces_is_kept_whole_though_its_largest_piece_is_small():
    mask = np.zeros((120, 120), bool)
    mask[50:62, 50:62] = True  # the darkest part of a thin pen's digit, all that stayed solid
    mask[20:47, 55:58] = True  # its stroke going up, apart by a gap
    mask[65:100, 55:58] = True  # and down
    mask[5:9, 100:115] = True  # a mark far off
    _, kept = keep_near_digit(mask.astype(np.float32), mask)
    assert kept[20:100, 55:58].sum() == mask[20:100, 55:58].sum() and not kept[5:9, 100:115].any()


def test_light_grainy_pencil_comes_out_like_dark_ink(mnist_path):
    x, _ = read_real(mnist_path, "t10k", 5)
    X = normalize(x)
    rng = np.random.default_rng(8)
    for digit in X:
        ink = np.asarray(
            Image.fromarray((digit.reshape(28, 28) * 255).astype(np.uint8)).resize((280, 280), Image.Resampling.BICUBIC)
        )
        canvas = np.zeros((600, 600), np.float32)
        canvas[150:430, 160:440] = ink / 255
        dark = preprocess_image(Image.fromarray(((0.9 - 0.8 * canvas) * 255).astype(np.uint8)))
        grain = rng.uniform(0.55, 1.0, canvas.shape).astype(np.float32)  # graphite leaves paper showing between grains
        pencil = preprocess_image(Image.fromarray(((0.9 - 0.3 * canvas * grain) * 255).astype(np.uint8)))
        assert np.corrcoef(dark.pixels, pencil.pixels)[0, 1] > 0.9


def test_light_pencil_on_a_clean_photo_is_ink_while_a_noisy_blank_page_is_blank():
    rng = np.random.default_rng(4)
    noise = rng.normal(0, 0.005, (160, 160)).astype(np.float32)
    faint = noise.copy()
    faint[40:120, 70:76] += 0.08  # ink only 0.08 above the paper: 16 noise deviations
    kept, mask, _ = separate_ink(faint)
    assert mask[40:120, 70:76].mean() > 0.95 and mask[:, :60].mean() < 0.01
    with pytest.raises(ImageError, match="the page looks blank"):
        separate_ink(noise * 4)  # a grainy blank page: its extremes are noise


def test_digits_on_dense_squared_paper_are_ink_while_a_blurred_grainy_blank_page_is_blank():
    # A blurred grid every 14 px covers most of the page: the median lies on it, and the median
    # absolute deviation took the grid for the paper's grain and refused the page as blank.
    rng = np.random.default_rng(5)
    rows, cols = np.mgrid[0:400, 0:400]
    grid = ((rows % 14 < 2) | (cols % 14 < 2)).astype(np.float32)
    grid = 0.3 * np.clip(2.5 * box_blur(box_blur(grid, 5), 3), 0, 1)
    assert (grid > 0.05).mean() > 0.75
    ink = grid + rng.normal(0, 0.01, grid.shape).astype(np.float32)
    ring = np.abs(np.hypot(rows - 200, cols - 200) - 60) < 8  # a 0 drawn over it
    ink[ring] = 0.85
    _, mask, _ = separate_ink(np.clip(ink, 0, 1))
    assert mask[ring].mean() > 0.95
    # The grain is measured on the paper's levels, not from pixel to pixel: grain blurred by the
    # camera is as much noise as sharp grain.
    grain = box_blur(rng.normal(0, 0.02, (400, 400)).astype(np.float32), 3)
    with pytest.raises(ImageError, match="the page looks blank"):
        separate_ink(np.clip(grain - grain.min(), 0, 1))


def test_a_stroke_wider_than_the_lighting_window_is_not_divided_away():
    gray = np.full((160, 160), 0.9, np.float32)
    gray[30:130, 60:90] = 0.2  # a marker's stroke 30 px wide, wider than an eighth of the image
    flat = flatten_lighting(gray, bright_paper=True)
    assert flat[30:130, 60:90].max() < 0.4  # dark right across, its middle too
    assert flat[:, :40].min() > 0.9


def test_ghost_ink_touching_the_digit_goes_except_next_to_the_strokes():
    ink = np.zeros((80, 80), np.float32)
    ink[10:70, 20:26] = 0.9  # the digit's stroke
    ink[30:70, 26:70] = 0.3  # a broad ghost from the back of the sheet, touching it
    kept, mask, _ = separate_ink(ink)
    kept, mask = drop_faint(kept, mask)
    assert mask[10:70, 20:26].all() and not mask[30:70, 32:70].any()
    ink[10:80, 26:80] = 0.3  # a ghost so large that under a tenth of the joined piece is strong ink
    kept, mask = drop_faint(*separate_ink(ink)[:2])
    assert mask[10:70, 20:26].all() and not mask[10:80, 32:80].any()


def test_a_ghost_larger_than_a_thin_digit_does_not_set_the_solid_ink_level():
    ink = np.zeros((100, 100), np.float32)
    ink[10:40, 10:12] = 0.9  # a thin ballpoint stroke, 60 px
    ink[50:95, 40:95] = 0.25  # a ghost of 2475 px, apart from it
    kept, mask, _ = separate_ink(ink)
    kept, mask = drop_faint(kept, mask)
    assert mask[10:40, 10:12].all() and not mask[50:95, 40:95].any()


def test_a_single_digit_keeps_its_pieces_and_drops_ink_apart_from_them():
    mask = np.zeros((100, 100), bool)
    mask[20:60, 40:46] = True  # the digit's main stroke
    mask[12:16, 40:60] = True  # its detached bar, a few pixels above (a 5's top)
    mask[85:95, 10:22] = True  # what is left of a thumb's shadow, apart and not on the border
    ink, kept = keep_near_digit(mask.astype(np.float32), mask)
    assert kept[20:60, 40:46].all() and kept[12:16, 40:60].all() and not kept[85:95, 10:22].any()


def ring_photo(size: int, radius: float, line: float, paper=0.85, ink=0.2) -> Image.Image:
    """A "0" drawn as a ring of the given line width (px) on a size x size gray photo, anti-aliased: RGB."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    distance = np.abs(np.hypot(ys - size / 2, (xs - size / 2) * 1.4) - radius)  # an upright oval
    cover = np.clip(line / 2 + 0.5 - distance, 0, 1)
    gray = paper - (paper - ink) * cover
    return Image.fromarray((gray * 255).astype(np.uint8)).convert("RGB")


def ring_is_closed(pixels: np.ndarray) -> bool:
    """Whether a prepared 28 x 28 "0" has ink on every one of 16 rays from its center."""
    image = pixels.reshape(28, 28)
    row, col = center_of_mass(image)
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    steps = np.arange(2, 14, 0.5)
    ys = np.clip(np.round(row + np.outer(np.sin(angles), steps)).astype(int), 0, 27)
    xs = np.clip(np.round(col + np.outer(np.cos(angles), steps)).astype(int), 0, 27)
    return bool((image[ys, xs].max(axis=1) > 0.5).all())


def test_a_thin_ballpoint_line_on_a_large_photo_is_found_at_a_finer_size_and_stays_whole():
    """A 2.5 px line on a 900 px photo is a sixth of a pixel at the work size: found there, it
    breaks and loses whole strokes; it is found again finer, and the "0" stays closed."""
    result = preprocess_image(ring_photo(900, radius=110, line=2.5))
    assert any("ink found again" in note for note in result.notes), result.notes
    assert ring_is_closed(result.pixels)
    ordinary = preprocess_image(ring_photo(300, radius=100, line=16))  # a normal pen, a digit filling the photo: one look
    assert not any("ink found again" in note for note in ordinary.notes) and ring_is_closed(ordinary.pixels)


def test_a_digit_a_twentieth_of_a_large_jpeg_is_found_while_a_blank_one_is_still_refused(tmp_path):
    """A "0" 150 px tall on a 3000 px photo covers 0.03% of it, under the 0.1% that the blank
    page's test once took for ink: it is found and read as a closed ring; the same photo
    without it is still a blank page."""
    photo = np.asarray(ring_photo(3000, radius=75, line=8)).astype(np.float32)
    rng = np.random.default_rng(0)
    noisy = np.clip(photo + rng.normal(0, 2.0, photo.shape[:2])[..., None], 0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(tmp_path / "small.jpg", quality=90)
    result, _ = preprocess_file(tmp_path / "small.jpg")
    assert ring_is_closed(result.pixels), result.notes
    blank = np.clip(np.full_like(photo, 0.85 * 255) + rng.normal(0, 2.0, photo.shape[:2])[..., None], 0, 255)
    Image.fromarray(blank.astype(np.uint8)).save(tmp_path / "blank.jpg", quality=90)
    with pytest.raises(ImageError, match="no ink found"):
        preprocess_file(tmp_path / "blank.jpg")


def test_a_small_digit_on_a_large_photo_is_looked_at_again_in_a_crop_around_it():
    """A "0" 80 px tall on a 1000 px photo spans 14 px at the work size, and even twice as fine
    its 5 px line breaks the ring open; found again in a crop around it, at 120 px, it stays a
    closed ring (it did not before the closer look)."""
    small = preprocess_image(ring_photo(1000, radius=40, line=5))
    assert any(note.startswith("a small digit") for note in small.notes), small.notes
    assert ring_is_closed(small.pixels)
    grayscale = dict(small.steps)["grayscale, around the digit"]
    assert max(grayscale.shape) < 400  # the crop, not the whole photo at a finer size


def test_a_thin_stroke_that_runs_faint_between_pixels_comes_out_solid():
    ink = np.zeros((100, 100), np.float32)
    ink[10:90, 49:52] = np.linspace(1.0, 0.25, 80)[:, None]  # one line, its lower half under half the solid level
    prepared, before, after = normalize_stroke(ink, ink > 0)
    assert prepared[10:90, 49:52].min() == 1.0  # the whole line is solid ink, thickened from there
    assert after > before


def test_broad_grey_shade_goes_even_where_it_touches_the_digit_while_solid_filled_ink_stays():
    ink = np.zeros((120, 120), np.float32)
    ink[10:90, 55:61] = 1.0  # the digit's stroke, 6 px wide
    ink[85:120, 40:80] = 0.6  # what the lighting left of a thumb, grey and broad, touching the stroke
    ink[100:103, 20:40] = 0.6  # a thin grey rim of it, beyond the square's reach
    ink[100:103, 30:32] = 0.6
    ink[20:40, 20:40] = 1.0  # a loop filled by a thick pen: broad, but solid
    ink[39:41, 40:55] = 1.0
    mask = ink > 0
    kept_ink, kept = drop_shade(ink, mask)
    assert kept[10:80, 55:61].all() and kept[20:40, 20:40].all()
    assert not kept[95:120, 40:80].any() and not kept[100:103, 20:40].any() and kept_ink[110, 60] == 0


def test_the_paper_estimate_never_takes_light_from_beyond_a_shadows_edge():
    """Smoothing the closing must not make the paper brighter than the closing itself: across a
    thumb's soft shadow at the edge, the rim would be divided by too bright a paper and come out as ink."""
    gray = bar_image(height=160, width=160, paper=0.9, ink=0.1)
    ys, xs = np.mgrid[0:160, 0:160]
    gray *= 1 - 0.8 * np.clip(1.5 - np.hypot((xs - 80) / 20, (ys - 180) / 20), 0, 1)  # a thumb's soft shadow
    window = 21
    estimate = paper_estimate(gray, window)
    assert (estimate <= paper_closing(gray, window) + 1e-6).all()
    flat = flatten_lighting(gray, bright_paper=True)
    assert flat[30, 20] < 0.4 and flat[140:, :].min() > 0.8  # the stroke stays dark, the shadow divides out


def test_a_solid_blob_apart_from_the_digit_goes_while_its_strokes_and_bars_stay():
    mask = np.zeros((100, 100), bool)
    mask[10:80, 45:51] = True  # the digit's stroke, 6 px wide
    mask[4:8, 40:70] = True  # its detached bar: fills its box, but only 4 px tall
    mask[85:99, 10:30] = True  # the dark core of a thumb left by the lighting: 14 x 20, solid
    mask[60:75, 70:75] = True  # a short separate stroke, 5 px wide
    ink, kept = drop_blobs(mask.astype(np.float32), mask)
    assert kept[10:80, 45:51].all() and kept[4:8, 40:70].all() and kept[60:75, 70:75].all()
    assert not kept[85:99, 10:30].any() and ink[90, 20] == 0


@pytest.mark.parametrize("size", [1, 4, 5, 21])
def test_the_sliding_maximum_equals_the_maximum_over_every_window(size):
    rng = np.random.default_rng(size)
    for image in (rng.random((37, 50)).astype(np.float32), (rng.random((9, 31)) * 255).astype(np.uint8)):
        padded = np.pad(image, size // 2, mode="edge")
        windows = np.lib.stride_tricks.sliding_window_view(padded, (size, size))
        expected = windows.max(axis=(-2, -1))
        got = sliding_max(image, size)
        assert got.dtype == image.dtype and np.array_equal(got, expected)
