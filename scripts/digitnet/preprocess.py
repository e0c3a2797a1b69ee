"""Prepare a photo of a handwritten digit the way the MNIST digits were prepared.

MNIST's digits (LeCun, Cortes and Burges) were size-normalized to fit a 20 x 20 box
keeping their aspect ratio, anti-aliased, then placed in 28 x 28 so that their center
of mass sits at the center; white ink on black. A network trained on them expects
exactly that, and misreads a photo that is not prepared the same way. Each stage below
is one named function; ``preprocess`` runs them in order and keeps every intermediate
image for the figure that shows them.

Images are float32 arrays in [0, 1] of shape (H, W). Until ``to_ink`` they are gray
levels (0 black, 1 white); from ``to_ink`` on they are ink (0 paper, 1 full ink).
"""

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from digitnet.errors import DigitnetError

WORK_SIZE = 160  # longest side at which ink is found; the digit ends up 20 px, so 8x finer
BOX = 20  # MNIST: the digit fits a 20 x 20 box ...
CANVAS = 28  # ... inside a 28 x 28 image
MNIST_CENTER = 14.0  # mean center of mass of MNIST training digits, (row, column) = (14.0, 14.0)
MNIST_STROKE_RATIO = 0.14  # median stroke width / longest side of MNIST digits (measured with stroke_width)
# How far off a stroke must be before it is changed. Thin strokes are thickened from half of
# MNIST's width; thick ones are thinned only from 3x: on the photo-like benchmark, thickening
# strokes under half fixed every such digit, while thinning those over 2x lost a third of
# them (a thick pen fills the loops, and erosion cannot bring them back).
THICKEN_BELOW = 2.0
THIN_ABOVE = 3.0
STRONG_SHARE = 0.1  # a piece of ink with fewer pixels at half the solid ink's level is a faint ghost
# Printed lines of ruled or squared paper: rows (or columns) covered over 50% of the image's
# width, at most 4% of its height thick, tilted up to about 3 degrees.
LINE_COVERAGE = 0.5
LINE_THICKNESS = 0.04
LINE_TILT = 0.05


class ImageError(DigitnetError):
    """An image that cannot be read or holds no digit; the message says which and why."""


@dataclass
class Preprocessed:
    """The MNIST-style digit and how it was made.

    pixels : (784,) float32 in [0, 1], white ink on black, centered by mass.
    steps: (stage name, image) after every stage, for the step-by-step figure.
    ink_fraction: share of the 28 x 28 pixels above 0.5 (MNIST digits: median 0.13).
    notes: what the preparation decided (paper inverted or not, strokes changed), in words.
    """

    pixels: np.ndarray
    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)
    ink_fraction: float = 0.0
    notes: list[str] = field(default_factory=list)


def open_image(path: Path, max_megapixels: float = 40.0, work_size: int = WORK_SIZE) -> Image.Image:
    """Open and decode an image file, refusing empty, unreadable, corrupt and enormous ones.

    The pixel count is read from the header and checked before anything is decoded, so a
    tiny file that claims billions of pixels (a decompression bomb) costs nothing. JPEGs
    are decoded directly at a reduced scale (``draft``), no smaller than twice ``work_size``,
    which is much faster for photos.
    """
    path = Path(path)
    if not path.exists():
        raise ImageError("no such file")
    if path.is_dir():
        raise ImageError("a folder, not an image file")
    if not path.is_file():
        raise ImageError("not a regular file (a device, socket or pipe)")
    if path.stat().st_size == 0:
        raise ImageError("the file is empty (0 bytes)")
    refused = f"more than the {max_megapixels:g} allowed (custom_digits.max_megapixels): not decoded, as a guard against decompression bombs"
    pillow_limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow's own limit would warn, or refuse without the size: ours below says both.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = None
            image = Image.open(path)
            Image.MAX_IMAGE_PIXELS = pillow_limit
        width, height = image.size
        if width * height > max_megapixels * 1e6:
            raise ImageError(f"the image claims {width} x {height} pixels ({width * height / 1e6:.0f} megapixels), {refused}")
        image.draft("RGB", (2 * work_size, 2 * work_size))
        image.load()
    except UnidentifiedImageError:
        raise ImageError("not an image (no known image format)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError(f"corrupt or truncated image ({error})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = pillow_limit
    return image


def apply_exif_orientation(image: Image.Image) -> Image.Image:
    """Rotate or flip as the camera's EXIF orientation tag says, so the digit stands upright."""
    return ImageOps.exif_transpose(image)


def flatten_transparency(image: Image.Image) -> Image.Image:
    """Composite an image with an alpha channel onto white paper (transparent = paper)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image


def high_depth_gray(image: Image.Image) -> np.ndarray:
    """A 16-bit ("I;16", "I") or 32-bit float ("F") grayscale image as float32 (H, W) in [0, 1], by its real range.

    Pillow's conversion to 8 bits clips, so a 16-bit scan (values up to 65,535) would turn
    white. Integers are divided by the largest value their depth can hold (255 when they
    all fit 8 bits, else 65,535, else their own maximum); floats already in [0, 1] are
    kept, larger ones are divided likewise. Dividing by a fixed range rather than
    stretching to the image's own extremes keeps a blank page blank.
    """
    values = np.asarray(image, dtype=np.float64)
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if low < 0:
        values, high = values - low, high - low
    if image.mode == "F" and high <= 1:
        scale = 1.0
    else:
        scale = 255.0 if high <= 255 else 65535.0 if high <= 65535 else high
    return np.clip(np.nan_to_num(values / scale), 0, 1).astype(np.float32)


def to_grayscale(image: Image.Image) -> np.ndarray:
    """Luminance (ITU-R 601: 0.299 R + 0.587 G + 0.114 B), as float32 (H, W) in [0, 1].

    16-bit and float images keep their real range (``high_depth_gray``).
    """
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        return high_depth_gray(image)
    return np.asarray(image.convert("L"), dtype=np.float32) / np.float32(255)


def display_rgb(image: Image.Image) -> np.ndarray:
    """An RGB view (H, W, 3) uint8 of any decoded image, for figures: transparency on white, 16-bit by its range."""
    image = flatten_transparency(image)
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        gray = (to_grayscale(image) * 255).round().astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=2)
    return np.asarray(image.convert("RGB"))


def round_half_up(value: float) -> int:
    """2.5 -> 3, as JavaScript's Math.round does (Python's round() gives 2): the playground
    in the report prepares drawings with the same sizes."""
    return math.floor(value + 0.5)


def resize_longest(gray: np.ndarray, size: int) -> np.ndarray:
    """Scale (H, W) so its longest side is ``size``, averaging pixels (anti-aliased); smaller images stay."""
    height, width = gray.shape
    scale = size / max(height, width)
    if scale >= 1:
        return gray
    new_size = (max(1, round_half_up(width * scale)), max(1, round_half_up(height * scale)))
    return np.asarray(Image.fromarray(gray, mode="F").resize(new_size, Image.Resampling.BOX), dtype=np.float32)


def paper_is_bright(gray: np.ndarray) -> bool:
    """Whether the paper is lighter than the ink, judged from the border, which is mostly paper.

    The paper is bright when the border's median lies nearer the image's brightest values
    than its darkest (1st and 99th percentiles): this holds for dim photos of white paper too.
    """
    border = max(1, min(gray.shape) // 20)
    frame = np.concatenate([gray[:border].ravel(), gray[-border:].ravel(), gray[:, :border].ravel(), gray[:, -border:].ravel()])
    paper = float(np.median(frame))
    darkest, brightest = np.percentile(gray, [1, 99])
    return brightest - paper < paper - darkest


def sliding_max(image: np.ndarray, size: int, outside: float | None = None) -> np.ndarray:
    """Maximum over a size x size window around each pixel (a grey dilation), separable: rows, then columns.

    Beyond the border the image repeats its edge, or takes the value ``outside`` when given.
    """
    half = size // 2
    padded = np.pad(image, half, mode="edge") if outside is None else np.pad(image, half, constant_values=outside)
    rows = np.lib.stride_tricks.sliding_window_view(padded, size, axis=0).max(axis=-1)
    return np.lib.stride_tricks.sliding_window_view(rows, size, axis=1).max(axis=-1)


def box_blur(image: np.ndarray, size: int) -> np.ndarray:
    """Mean over a size x size window (edges repeated), from cumulative sums: O(1) per pixel."""
    half = size // 2
    padded = np.pad(image, half, mode="edge").astype(np.float64)
    for axis in (0, 1):
        cumulative = np.cumsum(np.insert(padded, 0, 0.0, axis=axis), axis=axis)
        upper = np.take(cumulative, range(size, cumulative.shape[axis]), axis=axis)
        lower = np.take(cumulative, range(0, cumulative.shape[axis] - size), axis=axis)
        padded = (upper - lower) / size
    return padded.astype(np.float32)


def flatten_lighting(gray: np.ndarray, bright_paper: bool) -> np.ndarray:
    """Even out shadows and uneven lighting: divide by an estimate of the paper's brightness.

    With the paper made bright (dark paper is inverted first), the estimate is a grey
    closing, the maximum over a window wider than any stroke followed by the minimum over
    the same window: strokes vanish into the paper around them, while a shadow or a thumb
    broader than the window keeps its own edge, so it divides out instead of leaving a
    dark crescent. A small box blur smooths the estimate's steps. The result has paper
    near 1 everywhere and ink darker.
    """
    paper_up = gray if bright_paper else 1 - gray
    window = max(3, (max(gray.shape) // 8) | 1)
    closed = 1 - sliding_max(1 - sliding_max(paper_up, window), window)
    background = box_blur(closed, max(3, (window // 4) | 1))
    return np.clip(paper_up / np.maximum(background, 1e-3), 0, 1)


def to_ink(flat: np.ndarray) -> np.ndarray:
    """Invert bright paper to MNIST's polarity: ink = 1 - brightness (paper 0, ink up to 1)."""
    return 1 - flat


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Otsu (1979): the threshold t that maximizes the between-class variance w0 w1 (mu0 - mu1)^2.

    Computed for every candidate t at once from cumulative sums of the histogram.
    """
    counts, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    centers = (edges[:-1] + edges[1:]) / 2
    weight0 = np.cumsum(counts)
    weight1 = weight0[-1] - weight0
    sum0 = np.cumsum(counts * centers)
    mean0 = sum0 / np.maximum(weight0, 1)
    mean1 = (sum0[-1] - sum0) / np.maximum(weight1, 1)
    between = weight0 * weight1 * (mean0 - mean1) ** 2
    return float(edges[np.argmax(between) + 1])


def separate_ink(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Split ink from paper with Otsu's threshold as a mask, keeping the ink's gray levels.

    Returns (ink with paper set to 0, rescaled so solid ink, the 90th percentile of the
    mask's, is 1; mask (H, W) bool; threshold).
    Raises ImageError when there is no ink to speak of (a blank page).
    """
    contrast = float(np.percentile(ink, 99.5) - np.median(ink))
    if contrast < 0.15:
        raise ImageError(f"no ink found: the page looks blank (contrast {contrast:.2f})")
    threshold = otsu_threshold(ink)
    mask = ink > threshold
    solid = float(np.percentile(ink[mask], 90))
    kept = np.where(mask, np.clip(ink / max(solid, 1e-3), 0, 1), 0).astype(np.float32)
    return kept, mask, threshold


def drop_faint(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hysteresis, as in Canny's edge detector: a connected piece of the mask stays only when at
    least STRONG_SHARE of its pixels reach half the solid ink's level (ink from ``separate_ink``,
    solid = 1).

    Ink showing through from the back of the sheet, a faint smudge or the ghost of an
    erased digit is light throughout and goes; the pen's strokes, with the lighter edges
    joined to them, stay.
    """
    labels = label_components(mask)
    strong = np.bincount(labels[ink >= 0.5], minlength=labels.max() + 1)
    sizes = np.bincount(labels.ravel(), minlength=labels.max() + 1)
    keep = strong >= STRONG_SHARE * sizes
    keep[0] = False
    kept = keep[labels]
    return np.where(kept, ink, 0).astype(np.float32), kept


def run_bounds(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a 1-D bool array (n,), the first and last index of the run of Trues each index lies in:
    (start (n,), end (n,)), meaningful where flags is True. Running maximum and minimum, no loop."""
    index = np.arange(len(flags))
    start = np.maximum.accumulate(np.where(flags & ~np.r_[False, flags[:-1]], index, 0))
    end = np.minimum.accumulate(np.where(flags & ~np.r_[flags[1:], False], index, len(flags))[::-1])[::-1]
    return start, end


def printed_lines(mask: np.ndarray) -> np.ndarray:
    """Pixels (H, W) bool of the mask that belong to horizontal printed lines, strokes that cross them excepted.

    A ruled or squared paper's line runs across the whole image, thin and straight, maybe
    tilted by a few degrees. For each tilt t in +-LINE_TILT the ink is summed along lines
    y - t (x - W/2) = const (a shear, then a row sum: a Radon transform at a few angles);
    the tilt with the highest peak wins, and rows of it covered over LINE_COVERAGE of the
    width, in bands at most LINE_THICKNESS of the height thick, are lines. A line pixel is
    kept where ink lies within two pixels above or below the band in its column: there a
    stroke of the digit crosses the line, and removing the line must not cut it.
    """
    height, width = mask.shape
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return np.zeros_like(mask)
    pad = int(np.ceil(LINE_TILT * width / 2)) + 3
    tilts = np.linspace(-LINE_TILT, LINE_TILT, 9)
    sheared = ys[None, :] - np.round(tilts[:, None] * (xs[None, :] - width / 2)).astype(np.int64) + pad  # (9, P)
    span = height + 2 * pad
    counts = np.bincount((sheared + span * np.arange(len(tilts))[:, None]).ravel(), minlength=len(tilts) * span)
    counts = counts.reshape(len(tilts), span)
    best = int(np.argmax(counts.max(axis=1)))
    rows = sheared[best]  # (P,): each ink pixel's row along the winning tilt
    line = counts[best] >= LINE_COVERAGE * width
    # The line's faint edges (anti-aliasing) belong to it too.
    line |= (counts[best] >= 0.25 * LINE_COVERAGE * width) & (np.r_[line[1:], False] | np.r_[False, line[:-1]])
    start, end = run_bounds(line)
    line &= end - start + 1 <= max(2, LINE_THICKNESS * height)
    if not line.any():
        return np.zeros_like(mask)
    image = np.zeros((span + 4, width), dtype=bool)
    image[rows + 2, xs] = True  # the sheared mask, two spare rows on each side
    on = np.flatnonzero(line[rows])  # the ink pixels that lie on a line
    band_start, band_end, columns = start[rows[on]] + 2, end[rows[on]] + 2, xs[on]
    near = np.zeros(len(on), dtype=bool)
    for offset in (1, 2):
        near |= image[band_start - offset, columns] | image[band_end + offset, columns]
    lines = np.zeros_like(mask)
    lines[ys[on[~near]], xs[on[~near]]] = True
    return lines


def remove_lines(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Remove ruled and squared paper's lines, horizontal and vertical, from (ink, mask); also
    return how many line pixels went. See ``printed_lines``."""
    lines = printed_lines(mask) | printed_lines(mask.T).T
    kept = mask & ~lines
    return np.where(kept, ink, 0).astype(np.float32), kept, int(lines.sum())


def label_components(mask: np.ndarray) -> np.ndarray:
    """Connected components (8-neighbourhood) of a bool mask: labels (H, W), 0 for background.

    Each ink pixel points to a parent, at first itself (its flat index). Every round, each
    pixel's parent learns the smallest label among the pixel's neighbours (a hook), then
    every pointer follows its parent's pointer until it reaches a root (pointer jumping).
    A label always names a pixel of the same component, so when no pixel sees a smaller
    label beside it, every component carries one label. The rounds grow with the
    logarithm of a component's length, not the length itself (Shiloach and Vishkin's
    idea); each round is plain array operations, with no Python loop over pixels.
    Labels are the flat index of the component's first pixel, plus one.
    """
    height, width = mask.shape
    big = height * width
    parent = np.arange(big, dtype=np.int64)
    inside = np.flatnonzero(mask)
    while True:
        labels = np.where(mask, parent.reshape(height, width), big)
        padded = np.pad(labels, 1, constant_values=big)
        neighbours = [padded[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width] for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
        smallest = np.minimum.reduce(neighbours).ravel()[inside]
        own = labels.ravel()[inside]
        if np.array_equal(smallest, own):
            return np.where(mask, labels + 1, 0)
        # Hook: a root takes the smallest label seen by any of its pixels; then jump to roots.
        np.minimum.at(parent, own, smallest)
        parent[inside] = np.minimum(parent[inside], smallest)
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def drop_specks(ink: np.ndarray, mask: np.ndarray, min_share: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Remove isolated specks: components smaller than ``min_share`` of the largest one.

    Keeps a digit's separate strokes (the bar of a 5, the two strokes of a 4) and drops
    dust, grain and dots of noise.
    """
    labels = label_components(mask)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    keep = sizes >= min_share * sizes.max()
    keep[0] = False
    kept_mask = keep[labels]
    return np.where(kept_mask, ink, 0).astype(np.float32), kept_mask


def drop_edge_clutter(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a single digit: remove ink that touches the image border when a larger piece lies inside.

    The edge of a thumb, a shadow, the paper's edge or a neighbouring digit cut off by the
    frame leaves ink along the border; the digit the photo is about lies inside it. So
    border components smaller than the largest inner component go. A digit that touches
    the border itself is the largest piece there is, or the only one, and stays.
    """
    labels = label_components(mask)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    on_edge = np.zeros(len(sizes), dtype=bool)
    on_edge[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = True
    on_edge[0] = False
    inner_largest = sizes[~on_edge].max(initial=0)
    drop = on_edge & (sizes < inner_largest)
    kept = mask & ~drop[labels]
    return np.where(kept, ink, 0).astype(np.float32), kept


def crop_to_ink(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut (ink, mask) to the bounding box of the mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    return ink[box], mask[box]


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width in pixels, w = 2 * area / boundary.

    A stroke of length L and width w has area w L and about 2 L boundary pixels (one per
    edge side), so the ratio recovers w without tracing the strokes.
    """
    padded = np.pad(mask, 1)
    interior = padded[1:-1, 1:-1] & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    area = int(mask.sum())
    return 2 * area / max(area - int(interior.sum()), 1)


def normalize_stroke(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Thicken strokes under half of MNIST's width (relative to the digit's size), thin those over 3x.

    Returns (ink, width before, width after) in pixels of this image. Each round is a grey
    dilation (3 x 3 max filter: about 2 px wider) or erosion (min filter: about 2 px
    thinner), repeated until the width reaches MNIST's; one big filter would overshoot
    on blurred strokes. Thinning stops before it would erase most of the ink.
    """
    width = stroke_width(ink > 0.5)
    target = MNIST_STROKE_RATIO * max(mask.shape)
    if target / THICKEN_BELOW <= width <= THIN_ABOVE * target:
        return ink, width, width
    thicken = width < target
    area = int((ink > 0.5).sum())
    changed = ink
    for _ in range(max(mask.shape) // 2):
        # Outside the crop is paper (ink 0): it must thin strokes that touch the border too.
        step = sliding_max(np.pad(changed, 1), 3)[1:-1, 1:-1] if thicken else 1 - sliding_max(1 - changed, 3, outside=1.0)
        if not thicken and (step > 0.5).sum() < 0.3 * area:
            break
        changed = step.astype(np.float32)
        now = stroke_width(changed > 0.5)
        if (thicken and now >= target) or (not thicken and now <= target):
            break
    return changed, width, stroke_width(changed > 0.5)


def scale_to_box(ink: np.ndarray, box: int = BOX) -> np.ndarray:
    """Scale so the longest side is ``box`` pixels, keeping the aspect ratio, anti-aliased.

    Shrinking averages the pixels each output pixel covers (BOX filter), which is what
    anti-aliasing means here: a stroke partly inside a pixel makes it gray.
    """
    height, width = ink.shape
    scale = box / max(height, width)
    size = (max(1, round_half_up(width * scale)), max(1, round_half_up(height * scale)))
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    return np.clip(np.asarray(Image.fromarray(ink.astype(np.float32), mode="F").resize(size, resample)), 0, 1)


def paste_centered(digit: np.ndarray, canvas: int = CANVAS) -> np.ndarray:
    """Place the (h, w) digit in the middle of a canvas x canvas black image."""
    out = np.zeros((canvas, canvas), dtype=np.float32)
    height, width = digit.shape
    top, left = (canvas - height) // 2, (canvas - width) // 2
    out[top : top + height, left : left + width] = digit
    return out


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the ink's center of mass: sum of index * value / sum of values."""
    total = image.sum()
    rows = np.arange(image.shape[0])
    cols = np.arange(image.shape[1])
    return float(image.sum(axis=1) @ rows / total), float(image.sum(axis=0) @ cols / total)


def center_by_mass(image: np.ndarray) -> np.ndarray:
    """Shift the 28 x 28 image (by a fraction of a pixel if needed, bilinear) so its center of mass is at (14, 14)."""
    row, col = center_of_mass(image)
    shift_row, shift_col = MNIST_CENTER - row, MNIST_CENTER - col
    # An affine transform maps each output pixel (x, y) to the input (x - shift_col, y - shift_row).
    shifted = Image.fromarray(image, mode="F").transform(
        image.shape[::-1], Image.Transform.AFFINE, (1, 0, -shift_col, 0, 1, -shift_row), resample=Image.Resampling.BILINEAR
    )
    return np.clip(np.asarray(shifted, dtype=np.float32), 0, 1)


def find_ink(gray: np.ndarray, steps: list, notes: list[str], min_share: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """From gray levels (H, W) to ink (H, W) in [0, 1] with paper 0, and its mask (H, W) bool.

    Paper polarity, lighting, ink separation and speck removal; appends each stage's image
    to ``steps`` and what was decided to ``notes``. Shared by single digits and sheets.
    """
    bright = paper_is_bright(gray)
    notes.append("bright paper: inverted" if bright else "dark paper: kept")
    flat = flatten_lighting(gray, bright)
    steps.append(("lighting flattened", flat))
    ink = to_ink(flat)
    steps.append(("ink = 1 - paper", ink))
    ink, mask, threshold = separate_ink(ink)
    steps.append((f"ink separated (Otsu t = {threshold:.2f})", ink))
    ink, mask, removed = remove_lines(ink, mask)
    if removed:
        notes.append(f"printed lines removed ({removed} px)")
        steps.append(("lines removed", ink))
    ink, mask = drop_faint(ink, mask)
    if not mask.any():
        raise ImageError("no ink found: only faint marks, lighter than half of the darkest ink, and printed lines")
    steps.append(("faint ink dropped", ink))
    ink, mask = drop_specks(ink, mask, min_share)
    steps.append(("specks dropped", ink))
    return ink, mask


def mnist_from_ink(ink: np.ndarray, mask: np.ndarray, steps: list, notes: list[str]) -> Preprocessed:
    """One digit's ink (H, W) and mask (H, W) -> the MNIST-style Preprocessed digit (784 pixels).

    Crop to the ink, bring the stroke width near MNIST's, scale into 20 x 20, paste in
    28 x 28, center by mass, and scale so the strongest pixel is 1.
    """
    ink, mask = crop_to_ink(ink, mask)
    steps.append(("cropped to the ink", ink))
    ink, before, after = normalize_stroke(ink, mask)
    if before != after:
        # Thinning leaves an empty margin and thickening grows past the box: crop again.
        ink, _ = crop_to_ink(ink, ink > 0.1)
    steps.append((f"stroke {before:.1f} -> {after:.1f} px" if before != after else f"stroke {before:.1f} px (kept)", ink))
    if before != after:
        notes.append(f"stroke width changed from {before:.1f} to {after:.1f} px")
    digit = scale_to_box(ink)
    steps.append((f"scaled to {digit.shape[1]} x {digit.shape[0]}", digit))
    canvas = paste_centered(digit)
    steps.append(("pasted in 28 x 28", canvas))
    centered = center_by_mass(canvas)
    peak = centered.max()
    centered = centered / peak if peak > 0 else centered
    steps.append(("centered by mass", centered))
    return Preprocessed(pixels=centered.ravel(), steps=steps, ink_fraction=float((centered > 0.5).mean()), notes=notes)


def preprocess_image(image: Image.Image) -> Preprocessed:
    """Run every stage on a decoded image; return the 784 pixels the network reads and each stage's image."""
    steps: list[tuple[str, np.ndarray]] = []
    notes: list[str] = []
    upright = flatten_transparency(apply_exif_orientation(image))
    gray = resize_longest(to_grayscale(upright), WORK_SIZE)
    steps.append(("grayscale", gray))
    ink, mask = find_ink(gray, steps, notes)
    ink, mask = drop_edge_clutter(ink, mask)
    steps.append(("ink at the edge dropped", ink))
    return mnist_from_ink(ink, mask, steps, notes)


def preprocess_file(path: Path, max_megapixels: float = 40.0) -> tuple[Preprocessed, np.ndarray]:
    """Open ``path`` and preprocess it; also return a small RGB view of the original for figures."""
    image = open_image(path, max_megapixels)
    upright = apply_exif_orientation(image)
    return preprocess_image(upright), thumbnail_of(upright, WORK_SIZE)


def thumbnail_of(upright: Image.Image, size: int) -> np.ndarray:
    """A small RGB view (h, w, 3) uint8 of the upright image, longest side at most ``size``."""
    thumbnail = upright.copy()
    thumbnail.thumbnail((size, size))
    return display_rgb(thumbnail)


def naive_resize(image: Image.Image) -> np.ndarray:
    """What the notebook did with a photo: grayscale, squash to 28 x 28, invert. (784,) in [0, 1].

    Kept as the baseline the benchmark compares against.
    """
    gray = np.asarray(
        flatten_transparency(image).convert("L").resize((CANVAS, CANVAS), Image.Resampling.BILINEAR), dtype=np.float32
    )
    return (1 - gray / 255).ravel()
