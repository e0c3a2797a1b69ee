"""MNIST-style centring of one digit's ink: crop, stroke width, scale into 20 x 20, paste in 28 x 28, center by mass.

MNIST's digits (LeCun, Cortes and Burges) were size-normalized to fit a 20 x 20 box
keeping their aspect ratio, anti-aliased, then placed in 28 x 28 so that their center
of mass sits at the center; white ink on black. Ink here is float32 (h, w) in [0, 1].
"""

import numpy as np
from PIL import Image

from digitnet.image.load import round_half_up
from digitnet.image.morphology import label_components, sliding_max, stroke_width

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
# Thickening keeps at least this share of the paper a digit's loops enclose (normalize_stroke).
# Chosen on the tune halves of every set (0.5, 0.7, 0.9 tried; the real photos' thin-penned 6s
# decided it: 0.9 misread one, 0.5 and 0.7 none, 0.7 with the lower calibration error); no other
# set's single digit changed.
KEEP_LOOPS = 0.7


def crop_to_ink(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut (ink, mask) to the bounding box of the mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    return ink[box], mask[box]


def loops(mask: np.ndarray, smallest: float) -> tuple[int, int]:
    """(how many loops the ink (H, W) bool draws, the paper they enclose in pixels): a loop is a
    region of paper the ink encloses (a 0 has one, an 8 two) of at least ``smallest`` pixels.
    Paper is what the 8-connected ink leaves, joined by its 4 neighbours (a one-pixel loop steps
    diagonally); the paper outside the ink's box joins every region that reaches the border,
    which is then no loop."""
    labels = label_components(np.pad(~mask, 1, constant_values=True), neighbourhood=4)
    sizes = np.bincount(labels.ravel())
    sizes[[0, labels[0, 0]]] = 0  # ink, and the paper outside
    kept = sizes[sizes >= smallest]
    return len(kept), int(kept.sum())


def normalize_stroke(ink: np.ndarray, mask: np.ndarray, thin_above: float = THIN_ABOVE) -> tuple[np.ndarray, float, float]:
    """Thicken strokes under half of MNIST's width (relative to the digit's size), thin those over
    ``thin_above`` times it (THIN_ABOVE for a photo; the plain preparation's variant thins any).

    Returns (ink, width before, width after) in pixels of this image. Each round is a grey
    dilation (3 x 3 max filter: about 2 px wider) or erosion (min filter: about 2 px
    thinner), repeated until the width reaches MNIST's; one big filter would overshoot
    on blurred strokes. A round that would leave the width farther from MNIST's than it
    stands is not taken: on a digit 35 px tall (a sheet's, at its work size) one round is 6%
    of its height, and a thin pen's 3 thickened from 2 px past the 4.9 px it needs, to 6 px,
    closed its open bowls and read as a 0. Thinning stops before it would erase most of the
    ink. Thickening stops before a loop would become narrower than the strokes around it (its
    area under a stroke width squared), or the loops would lose more than 1 - KEEP_LOOPS of
    the paper they enclose: a thin pen's 9 with a small loop, thickened to MNIST's width,
    reads as a 1, and a 6 whose loop shrinks to a slit reads as a 5. Gaps narrower than the
    pen's own stroke (its skips) are not loops.
    """
    width = stroke_width(ink > 0.5)
    target = MNIST_STROKE_RATIO * max(mask.shape)
    if width < target / THICKEN_BELOW:
        # A line under half of MNIST's width covers its pixels only in part, so its gray levels
        # say how it fell on the pixel grid rather than how dark the pen was: where it runs
        # between pixels it looks faint, and after scaling down (and dilating) it stays faint, a
        # gap in the digit. Its whole mask counts as solid ink. A stroke near MNIST's width is
        # left as it is, with its anti-aliased edge (as the report's drawing pad prepares it).
        ink = np.maximum(ink, mask.astype(np.float32))
    if target / THICKEN_BELOW <= width <= thin_above * target:
        return ink, width, width
    thicken = width < target
    area = int((ink > 0.5).sum())
    drawn, opening = loops(ink > 0.5, width**2) if thicken else (0, 0)
    changed, after = ink, stroke_width(ink > 0.5)
    for _ in range(max(mask.shape) // 2):
        # Outside the crop is paper (ink 0): it must thin strokes that touch the border too.
        step = sliding_max(np.pad(changed, 1), 3)[1:-1, 1:-1] if thicken else 1 - sliding_max(1 - changed, 3, outside=1.0)
        step = step.astype(np.float32, copy=False)
        inked = step > 0.5
        if not thicken and inked.sum() < 0.3 * area:
            break
        now = stroke_width(inked)
        if thicken and drawn:
            count, paper = loops(inked, now**2)
            if count < drawn or paper < KEEP_LOOPS * opening:
                break
        if abs(now - target) > abs(after - target):
            break  # past MNIST's width, and farther from it than before this round
        changed, after = step, now
        if (thicken and now >= target) or (not thicken and now <= target):
            break
    return changed, width, after


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
