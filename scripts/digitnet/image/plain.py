"""The plain MNIST-style preparation of one digit, and the pass-through for an image that already is one.

The plain way is what MNIST itself did, with nothing added: find the ink by one threshold
(Otsu's), crop to it, fit it in a 20 x 20 box keeping its grey levels, and centre its mass in
28 x 28. It has no rule that could drop part of a digit, so it reads what the photo
preparation (digitnet.preprocess) is too clever for: scans and crops that the digit fills, and
images already as small as a digit (8 x 8, 16 x 16, 28 x 28). It has no defence against
what a photo adds (a thumb, a shadow, ruled lines): the photo preparation has those.

Gray levels are float32 (H, W) in [0, 1], 0 black; ink is float32 in [0, 1], 0 paper.
"""

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from digitnet.image.ink import flatten_lighting, otsu_threshold, paper_is_bright
from digitnet.image.load import ImageError, resize_longest
from digitnet.image.mnist import (
    BOX,
    CANVAS,
    MNIST_CENTER,
    center_by_mass,
    center_of_mass,
    crop_to_ink,
    normalize_stroke,
    paste_centered,
)

# Sizes in pixels of the image as given.
WORK_SIZE = 160  # a larger image is averaged down to this longest side first: the digit ends up 20 px
FLATTEN_FROM = 64  # lighting is flattened only from this longest side on: a smaller image is a crop or a
# scan with no room for a shadow, and the flattening window (an eighth of the image) would be narrower
# than its strokes and take them for shadow
# A page is blank when, measured from the paper's fitted plane (paper_plane: the light may fade
# across a crop), the medians of its two Otsu classes (ink and paper) differ by less than
# BLANK_CONTRAST, or when they differ by less than BLANK_NOISE times the paper's own noise (its
# median absolute deviation, scaled to a standard deviation) and the two classes explain under
# BLANK_SPLIT of the variance (Otsu's separability: 0.64 for one bell of grain, 0.75 for flat noise,
# near 1 for ink on paper). A blank page's grain, split in two at its middle, differs by about 2.3
# of its deviations. A small scan that its digit fills has anti-aliased edges in its paper class,
# which look like noise; its two classes still explain most of the variance.
BLANK_NOISE = 7.0
BLANK_SPLIT = 0.8
BLANK_CONTRAST = 0.04
# Pass-through: a 28 x 28 image whose background is one level (at least PASS_PAPER of its pixels
# within 0.1 of the median), whose ink's box fits MNIST's 20 x 20 and whose mass lies within
# PASS_CENTRE pixels of MNIST's centre, is already an MNIST digit: re-cropping and re-centring it
# would only move it. (Every one of MNIST's 10,000 test digits passes, in either polarity.)
PASS_PAPER = 0.5
PASS_CENTRE = 1.0
# Longest side the crop is enlarged to before its strokes are brought to MNIST's width (plain_strokes).
STROKE_SIZE = 4 * BOX


@dataclass
class Prepared:
    """One preparation of one digit: pixels (784,) float32 in [0, 1], white ink on black, each
    stage's image for the stage-by-stage figure, and what was decided, in words."""

    pixels: np.ndarray
    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ink_fraction(self) -> float:
        """Share of the 28 x 28 pixels above 0.5 (MNIST digits: median 0.13)."""
        return float((self.pixels > 0.5).mean())


def ink_of(gray: np.ndarray, notes: list[str]) -> np.ndarray:
    """Gray levels (H, W) -> ink (H, W) in [0, 1]: bright paper inverted (paper_is_bright: the
    border is mostly paper), lighting flattened from FLATTEN_FROM pixels on."""
    bright = paper_is_bright(gray)
    notes.append("bright paper: inverted" if bright else "dark paper: kept")
    if max(gray.shape) >= FLATTEN_FROM:
        return 1 - flatten_lighting(gray, bright)
    return 1 - gray if bright else gray.copy()


def paper_plane(ink: np.ndarray, threshold: float) -> np.ndarray:
    """The paper's level at every pixel of ink (H, W): the plane a + b y + c x fitted by least
    squares to the pixels at or below ``threshold`` (the paper). Lighting that brightens or
    darkens across a small crop (which is not flattened: FLATTEN_FROM) is such a plane; a
    stroke, which is not paper, does not pull it."""
    rows, cols = np.indices(ink.shape, dtype=np.float32)
    paper = ink <= threshold
    design = np.stack([np.ones(int(paper.sum()), np.float32), rows[paper], cols[paper]], axis=1)  # (P, 3)
    a, b, c = np.linalg.lstsq(design, ink[paper], rcond=None)[0]
    return a + b * rows + c * cols


def two_classes(values: np.ndarray, cut: float) -> tuple[np.ndarray, np.ndarray]:
    """values (H, W) split at ``cut``: (paper, marks), the values at or below it and above it (1-D);
    ImageError when either is empty: the page is one flat level."""
    paper, marks = values[values <= cut], values[values > cut]
    if len(paper) == 0 or len(marks) == 0:
        raise ImageError("no ink found: the page looks blank (one flat level, no mark at all)")
    return paper, marks


def check_not_blank(ink: np.ndarray, threshold: float) -> None:
    """Raise ImageError when ink (H, W) split at ``threshold`` into paper and ink shows no mark
    that stands out from the paper's own noise (BLANK_CONTRAST, BLANK_NOISE, BLANK_SPLIT).

    The marks are measured against the paper's plane (paper_plane), split again by Otsu's
    threshold: measured against one level, a crop whose light fades across it has a paper
    that seems noisy, and its digit seemed not to stand out from it.
    """
    two_classes(ink, threshold)  # the plane needs paper to fit, and a page of one level has no marks
    flat = ink - paper_plane(ink, threshold)  # (H, W): paper near 0 everywhere, ink above it
    low, high = float(flat.min()), float(flat.max())
    cut = low + (high - low) * otsu_threshold((flat - low) / max(high - low, 1e-12))
    paper, marks = two_classes(flat, cut)
    level = float(np.median(paper))
    noise = 1.4826 * float(np.median(np.abs(paper - level)))
    contrast = float(np.median(marks)) - level
    between = len(paper) * len(marks) / flat.size**2 * (float(marks.mean()) - float(paper.mean())) ** 2
    split = between / max(float(flat.var()), 1e-12)
    if contrast < BLANK_CONTRAST or (contrast < BLANK_NOISE * noise and split < BLANK_SPLIT):
        raise ImageError(f"no ink found: the page looks blank (no mark stands out: contrast {contrast:.2f}, paper noise {noise:.3f})")


def fit_box(ink: np.ndarray, box: int = BOX) -> np.ndarray:
    """Scale ink (h, w) so its longest side is ``box``, keeping its aspect ratio.

    Shrinking averages the pixels each output pixel covers (anti-aliasing, as MNIST did);
    enlarging a digit smaller than the box (an 8 x 8 scan) uses Lanczos's sharp filter:
    bilinear enlarging spreads each stroke into a grey slab, unlike MNIST's crisp strokes.
    """
    height, width = ink.shape
    scale = box / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resample = Image.Resampling.BOX if scale <= 1 else Image.Resampling.LANCZOS
    return np.clip(np.asarray(Image.fromarray(ink.astype(np.float32), mode="F").resize(size, resample)), 0, 1)


@dataclass
class Cropped:
    """One digit's ink cropped to the digit, (h, w) float32 in [0, 1], 0 paper, with the stages
    that made it and what was decided: what every plain preparation starts from."""

    ink: np.ndarray
    steps: list[tuple[str, np.ndarray]]
    notes: list[str]


def plain_crop(gray: np.ndarray) -> Cropped:
    """Gray levels (H, W) of one digit -> its ink cropped to the digit (Cropped).

    Averaged down to WORK_SIZE, ink found (ink_of), split by Otsu's threshold t; ImageError
    when nothing stands out (check_not_blank). The crop is the box of the pixels above t; in
    it, ink is rescaled so the paper (median below t) is 0 and solid ink (90th percentile
    above t) is 1.
    """
    notes: list[str] = []
    gray = resize_longest(gray, WORK_SIZE)
    steps = [("grayscale", gray)]
    ink = ink_of(gray, notes)
    steps.append(("ink = paper made dark" if max(gray.shape) < FLATTEN_FROM else "lighting flattened, paper made dark", ink))
    threshold = otsu_threshold(ink)
    check_not_blank(ink, threshold)
    mask = ink > threshold
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    paper = float(np.median(ink[~mask])) if (~mask).any() else 0.0
    solid = float(np.percentile(ink[mask], 90))
    crop = np.clip((ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] - paper) / max(solid - paper, 1e-3), 0, 1).astype(np.float32)
    steps.append((f"cropped to the ink (Otsu t = {threshold:.2f})", crop))
    return Cropped(ink=crop, steps=steps, notes=notes)


def centred(digit: np.ndarray, cropped: Cropped, steps: list[tuple[str, np.ndarray]]) -> Prepared:
    """``digit`` (at most 20 x 20) pasted in 28 x 28, centred by mass, peak 1: the Prepared
    whose stages are the crop's, then ``steps``, then the centring."""
    pixels = center_by_mass(paste_centered(digit))
    pixels = pixels / max(float(pixels.max()), 1e-6)
    steps = [*cropped.steps, *steps, ("centred by mass", pixels)]
    return Prepared(pixels=pixels.ravel().astype(np.float32), steps=steps, notes=list(cropped.notes))


def plain_fitted(cropped: Cropped) -> Prepared:
    """The plain MNIST-style digit of a crop: fitted in 20 x 20, pasted in 28 x 28, centred by mass, peak 1."""
    digit = fit_box(cropped.ink)
    return centred(digit, cropped, [(f"scaled to {digit.shape[1]} x {digit.shape[0]}", digit)])


def plain_digit(gray: np.ndarray) -> Prepared:
    """Gray levels (H, W) of one digit -> the plain MNIST-style digit (Prepared)."""
    return plain_fitted(plain_crop(gray))


def plain_strokes(cropped: Cropped) -> Prepared | None:
    """The plain digit with its strokes brought to MNIST's width, either way; None when they
    already are (within THICKEN_BELOW below it, not above it).

    A scan that its digit fills was stretched to its frame: a 1 becomes a slab as wide as a
    stroke is long, which the network reads as a 2 or an 8. The crop is enlarged to STROKE_SIZE
    (a dilation or erosion step is then 2.5% of the digit, not 10%) and normalize_stroke brings
    its strokes to MNIST's width, thinning from any width above it, loops kept.
    """
    big = fit_box(cropped.ink, STROKE_SIZE)
    strokes, before, after = normalize_stroke(big, big > 0.5, thin_above=1.0)
    if before == after:
        return None
    strokes, _ = crop_to_ink(strokes, strokes > 0.1)
    digit = fit_box(strokes)
    return centred(digit, cropped, [(f"stroke {before:.0f} -> {after:.0f} px at {STROKE_SIZE} px", strokes), (f"scaled to {digit.shape[1]} x {digit.shape[0]}", digit)])


def as_mnist(gray: np.ndarray) -> Prepared | None:
    """The image itself when it already is an MNIST digit (gray (28, 28), either polarity), else None.

    An MNIST digit lies on one level of background (PASS_PAPER), its ink fits BOX x BOX pixels
    and its mass sits within PASS_CENTRE pixels of (14, 14). Black on white is inverted.
    """
    if gray.shape != (CANVAS, CANVAS):
        return None
    paper = float(np.median(gray))
    if (np.abs(gray - paper) <= 0.1).mean() < PASS_PAPER:
        return None
    ink = np.clip(gray - paper if paper < 0.5 else paper - gray, 0, 1)
    if ink.max() <= 0.1:
        return None
    ink = ink / float(ink.max())
    mask = ink > 0.1
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    row, col = center_of_mass(ink)
    if max(rows[-1] + 1 - rows[0], cols[-1] + 1 - cols[0]) > BOX or max(abs(row - MNIST_CENTER), abs(col - MNIST_CENTER)) > PASS_CENTRE:
        return None
    notes = ["already an MNIST digit: read as given" + (", inverted" if paper >= 0.5 else "")]
    return Prepared(pixels=ink.ravel().astype(np.float32), steps=[("grayscale", gray), ("as given, white on black", ink)], notes=notes)
