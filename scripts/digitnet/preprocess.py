"""Prepare a photo of a handwritten digit the way the MNIST digits were prepared.

MNIST's digits (LeCun, Cortes and Burges) were size-normalized to fit a 20 x 20 box
keeping their aspect ratio, anti-aliased, then placed in 28 x 28 so that their center
of mass sits at the center; white ink on black. A network trained on them expects
exactly that, and misreads a photo that is not prepared the same way. Each stage is one
named function in a module of ``digitnet.image`` (loading, ink, printed lines, MNIST-style
centring); ``preprocess_image`` runs them in order and keeps every intermediate image for
the figure that shows them. The stages' names are importable from here too.

Images are float32 arrays in [0, 1] of shape (H, W). Until ``to_ink`` they are gray
levels (0 black, 1 white); from ``to_ink`` on they are ink (0 paper, 1 full ink).
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from digitnet.image.ink import (
    STRONG_SHARE,
    drop_blobs,
    drop_edge_clutter,
    drop_faint,
    drop_shade,
    drop_specks,
    flatten_lighting,
    keep_near_digit,
    level_inside,
    otsu_threshold,
    paper_is_bright,
    separate_ink,
    to_ink,
)
from digitnet.image.lines import is_a_line, remove_lines
from digitnet.image.load import (
    WORK_SIZE,
    ImageError,
    NoDigitError,
    apply_exif_orientation,
    display_rgb,
    flatten_transparency,
    high_depth_gray,
    open_image,
    resize_longest,
    round_half_up,
    thumbnail_of,
    to_grayscale,
)
from digitnet.image.mnist import (
    BOX,
    CANVAS,
    MNIST_CENTER,
    MNIST_STROKE_RATIO,
    center_by_mass,
    center_of_mass,
    crop_to_ink,
    normalize_stroke,
    paste_centered,
    scale_to_box,
    stroke_width,
)
from digitnet.image.morphology import box_blur, component_boxes, label_components, run_bounds, sliding_max

# The stages, importable from here as before they had modules of their own.
__all__ = [
    "BOX",
    "CANVAS",
    "MNIST_CENTER",
    "MNIST_STROKE_RATIO",
    "STRONG_SHARE",
    "WORK_SIZE",
    "ImageError",
    "NoDigitError",
    "Preprocessed",
    "apply_exif_orientation",
    "box_blur",
    "center_by_mass",
    "center_of_mass",
    "crop_to_ink",
    "display_rgb",
    "drop_blobs",
    "drop_edge_clutter",
    "drop_faint",
    "drop_shade",
    "drop_specks",
    "find_ink",
    "flatten_lighting",
    "flatten_transparency",
    "high_depth_gray",
    "keep_near_digit",
    "label_components",
    "level_inside",
    "mnist_from_ink",
    "naive_resize",
    "normalize_stroke",
    "open_image",
    "otsu_threshold",
    "paper_is_bright",
    "paste_centered",
    "preprocess_file",
    "preprocess_image",
    "remove_lines",
    "resize_longest",
    "round_half_up",
    "run_bounds",
    "scale_to_box",
    "separate_ink",
    "sliding_max",
    "stroke_width",
    "thumbnail_of",
    "to_grayscale",
    "to_ink",
]


# A second, closer look at the digit, in a crop around it cut from the full image. Its ink is
# found again when at the work size the digit spans under SMALL_DIGIT pixels (a small digit on
# a large page, whose strokes the work size blurs into one another and into a blob), or when its
# strokes measure under FINE_STROKE pixels (stroke_width reads 2 for any line 1 or 2 px wide: a
# thin pen, whose line averaged down to the work size is lighter than solid ink and breaks where
# it is thinnest, so the faint-ink stage drops whole strokes). The crop is the digit's box grown
# by CROP_MARGIN of its longest side each way (strokes the first look dropped lie within it),
# scaled so the digit spans DIGIT_SPAN pixels, or twice as fine for thin strokes, as far as the
# image's own pixels allow and only when that is at least FINER_BY times finer.
SMALL_DIGIT = 80
FINE_STROKE = 4.0
DIGIT_SPAN = 120
CROP_MARGIN = 0.5
FINER_BY = 1.25
MAX_CROP = 2 * WORK_SIZE  # the crop's longest side, at most: its cost grows with its area
# A thin pen: strokes under THIN_PEN of MNIST's width for the digit's size (MNIST_STROKE_RATIO of
# its longest side). Its line runs lighter than Otsu's threshold in places and breaks there, so
# its ink is found again with hysteresis (separate_ink): pixels above THIN_PEN_WEAK of the way
# from paper to the threshold join the ink they touch. Only for thin pens: beside a normal pen,
# what is that light and touches the digit is mostly ink showing through from the back. (On the
# photo-like benchmark, the median stroke is 0.6 of MNIST's for thin ballpoint, 1.1 for the
# show-through set; 0.7 takes about 70% of the one and 15% of the other.)
THIN_PEN = 0.7
THIN_PEN_WEAK = 0.5


@dataclass
class Preprocessed:
    """The MNIST-style digit and how it was made.

    pixels : (784,) float32 in [0, 1], white ink on black, centered by mass.
    steps: (stage name, image) after every stage, for the step-by-step figure.
    ink_fraction: share of the 28 x 28 pixels above 0.5 (MNIST digits: median 0.13).
    notes: what the preparation decided (paper inverted or not, strokes changed), in words.
    aspect: width / height of the box around all the ink found, before ink apart from the
    digit is dropped (a row of several digits is wide; custom digits' mode "auto" reads it).
    pieces: how many pieces of that ink are at least half as tall as the tallest (a page of
    digits has many; one digit, one or two).
    """

    pixels: np.ndarray
    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)
    ink_fraction: float = 0.0
    notes: list[str] = field(default_factory=list)
    aspect: float = 1.0
    pieces: int = 1


def find_ink(
    gray: np.ndarray, steps: list, notes: list[str], min_share: float = 0.1, thin_pen: bool = False, inner: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """From gray levels (H, W) to ink (H, W) in [0, 1] with paper 0, and its mask (H, W) bool.

    Paper polarity, lighting, ink separation and speck removal; appends each stage's image
    to ``steps`` and what was decided to ``notes``. Shared by single digits and sheets; with
    ``inner`` (a sheet), the ink's level and the specks' size are judged on the pieces away
    from the image's border (level_inside, drop_specks).
    """
    bright = paper_is_bright(gray)
    notes.append("bright paper: inverted" if bright else "dark paper: kept")
    flat = flatten_lighting(gray, bright)
    steps.append(("lighting flattened", flat))
    ink = to_ink(flat)
    steps.append(("ink = 1 - paper", ink))
    ink, mask, threshold = separate_ink(ink, THIN_PEN_WEAK if thin_pen else None)
    steps.append((f"ink separated (Otsu t = {threshold:.2f})", ink))
    ink, mask, removed = remove_lines(ink, mask)
    if removed and not mask.any():
        # Every mark was a printed line: empty ruled or squared paper, or a form's empty boxes.
        # The plain preparation knows no lines and would read them as a digit: refuse the image.
        raise NoDigitError("no handwritten digits found: only printed lines (ruled or squared paper, a form's boxes)")
    if removed:
        notes.append(f"printed lines removed ({removed} px)")
        steps.append(("lines removed", ink))
    if inner:
        ink = level_inside(ink, mask)
    ink, mask = drop_faint(ink, mask)
    if not mask.any():
        lines = ", and printed lines" if removed else ""
        raise ImageError(f"no ink found: only faint marks, lighter than half of the darkest ink{lines}")
    steps.append(("faint ink dropped", ink))
    ink, mask = drop_specks(ink, mask, min_share, inner)
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


def layout(mask: np.ndarray) -> tuple[float, int]:
    """(width / height of the box around a mask (H, W) bool, how many of its pieces are at least
    half as tall as the tallest): how the ink lies, before ink apart from one digit is dropped."""
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    _, boxes, _ = component_boxes(label_components(mask))
    heights = boxes[:, 3] - boxes[:, 1]
    return float((columns[-1] - columns[0] + 1) / (rows[-1] - rows[0] + 1)), int((heights >= heights.max() / 2).sum())


def single_digit_ink(
    gray: np.ndarray, steps: list, notes: list[str], thin_pen: bool = False
) -> tuple[np.ndarray, np.ndarray, tuple[float, int]]:
    """Gray levels (H, W) of a photo of one digit -> (its ink (H, W), mask (H, W) bool, and the
    layout of all the ink found, before ink apart from the digit goes: see ``layout``).

    find_ink, then what a single digit's photo adds: broad shade, blobs, clutter at the edge
    and ink apart from the digit are dropped.
    """
    ink, mask = find_ink(gray, steps, notes, thin_pen=thin_pen)
    ink, shaded = drop_shade(ink, mask)
    if shaded.sum() < mask.sum():
        notes.append(f"broad grey shade dropped ({int(mask.sum() - shaded.sum())} px)")
        steps.append(("shade dropped", ink))
    ink, mask = drop_edge_clutter(*drop_blobs(ink, shaded))
    found = layout(mask)
    ink, mask = keep_near_digit(ink, mask)
    steps.append(("ink at the edge or apart dropped", ink))
    return ink, mask, found


def digit_span(mask: np.ndarray) -> int:
    """The longest side, in pixels, of the box around a mask (h, w) bool that holds ink."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(max(rows[-1] + 1 - rows[0], cols[-1] + 1 - cols[0]))


def closer_look(
    full_shape: tuple[int, int], work_shape: tuple[int, int], mask: np.ndarray
) -> tuple[tuple[slice, slice], int, str] | None:
    """Where to look again at a digit found at the work size, or None when no closer look helps.

    full_shape: (H, W) of the full image; work_shape: (h, w) of its copy at the work size, on
    which ``mask`` (h, w) bool holds the digit. Returns (rows, columns) of the crop in the full
    image, the longest side to scale the crop to, and a note saying why (see SMALL_DIGIT).
    """
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    span = digit_span(mask)
    width = stroke_width(mask)
    zoom = max(DIGIT_SPAN / span if span < SMALL_DIGIT else 1.0, 2.0 if width < FINE_STROKE else 1.0)
    scale = max(full_shape) / max(work_shape)  # full-image pixels per work pixel
    zoom = min(zoom, scale)
    if zoom < FINER_BY:
        return None
    # A digit found small may be the dark part of one whose light strokes the first look dropped:
    # the margin is never under CROP_MARGIN of half a SMALL_DIGIT.
    margin = CROP_MARGIN * max(span, SMALL_DIGIT / 2)
    top, bottom = (max(0, int((rows[0] - margin) * scale)), min(full_shape[0], int(np.ceil((rows[-1] + 1 + margin) * scale))))
    left, right = (max(0, int((cols[0] - margin) * scale)), min(full_shape[1], int(np.ceil((cols[-1] + 1 + margin) * scale))))
    side = max(1, min(MAX_CROP, round(max(bottom - top, right - left) * zoom / scale)))
    why = f"a small digit ({span} px)" if span < SMALL_DIGIT else f"thin strokes ({width:.1f} px)"
    return (
        (slice(top, bottom), slice(left, right)),
        side,
        f"{why} at {max(work_shape)} px: ink found again {zoom:.1f}x finer around it",
    )


def is_thin_pen(mask: np.ndarray) -> bool:
    """Whether a digit's mask (h, w) bool is drawn with a thin pen: strokes under THIN_PEN of
    MNIST's width for its size (MNIST_STROKE_RATIO of the longest side)."""
    return stroke_width(mask) < THIN_PEN * MNIST_STROKE_RATIO * digit_span(mask)


def preprocess_image(image: Image.Image) -> Preprocessed:
    """Run every stage on a decoded image; return the 784 pixels the network reads and each stage's image."""
    return photo_digit(to_grayscale(flatten_transparency(apply_exif_orientation(image))))


@dataclass
class Look:
    """One look at a digit's ink: the gray levels looked at, the ink (h, w) and mask (h, w) found
    there, and the stages and notes of finding them."""

    gray: np.ndarray
    ink: np.ndarray
    mask: np.ndarray
    steps: list[tuple[str, np.ndarray]]
    notes: list[str]


def look_at(gray: np.ndarray, title: str, notes: list[str], thin_pen: bool = False) -> tuple[Look, tuple[float, int]]:
    """Find one digit's ink in gray levels (h, w) (single_digit_ink): the Look, and the layout of
    all ink there. ImageError when there is none."""
    steps: list[tuple[str, np.ndarray]] = [(title, gray)]
    notes = list(notes)
    ink, mask, found = single_digit_ink(gray, steps, notes, thin_pen=thin_pen)
    return Look(gray, ink, mask, steps, notes), found


def photo_digit(full: np.ndarray) -> Preprocessed:
    """The photo preparation of one digit: gray levels (H, W) of the upright image, full size ->
    the 784 pixels the network reads, with each stage's image.

    Up to three looks, each kept only when it finds a digit, and said in the notes either way:
    1. the first look, at WORK_SIZE (ImageError when it finds no ink at all);
    2. a closer look, in a crop around that digit at a finer scale, when the digit is small
       or its strokes thin at the work size (closer_look);
    3. a thin pen's look, in the same view again with hysteresis, when its strokes are under
       THIN_PEN of MNIST's width (is_thin_pen), so that its lighter stretches stay.
    The digit is prepared from the last look that found it.
    """
    gray = resize_longest(full, WORK_SIZE)
    current, layout_found = look_at(gray, "grayscale", [])
    looks: list[str] = []  # why each later look was taken, and what came of it
    closer = closer_look(full.shape, gray.shape, current.mask)
    if closer is not None:
        crop, side, note = closer
        looks.append(note)
        try:
            current, _ = look_at(resize_longest(full[crop], side), "grayscale, around the digit", looks)
        except ImageError as error:
            looks.append(f"the closer look found no digit ({error}): the first look stands")
            current.notes += looks[-2:]
    if is_thin_pen(current.mask):
        looks.append("a thin pen: its line's light stretches kept (hysteresis)")
        try:
            current, _ = look_at(current.gray, current.steps[0][0], looks, thin_pen=True)
        except ImageError as error:
            current.notes += [looks[-1], f"the thin pen's look found no digit ({error}): the look before stands"]
    if is_a_line(current.mask):
        # A rule of the paper that was not one of a set (one line, or the one left in a closer
        # look's crop), or a dash: the plain preparation would read it as a 1 lying down or a 7.
        raise NoDigitError("no handwritten digits found: only a straight line (a printed rule or a dash)")
    result = mnist_from_ink(current.ink, current.mask, current.steps, current.notes)
    result.aspect, result.pieces = layout_found  # of the whole image's ink: a crop would cut a row of digits short
    return result


def preprocess_file(path: Path, max_megapixels: float = 40.0) -> tuple[Preprocessed, np.ndarray]:
    """Open ``path`` and preprocess it; also return a small RGB view of the original for figures."""
    image = open_image(path, max_megapixels)
    upright = apply_exif_orientation(image)
    return preprocess_image(upright), thumbnail_of(upright, WORK_SIZE)


def naive_resize(image: Image.Image) -> np.ndarray:
    """What the notebook did with a photo: grayscale, squash to 28 x 28, invert. (784,) in [0, 1].

    Kept as the baseline the benchmark compares against.
    """
    gray = np.asarray(
        flatten_transparency(image).convert("L").resize((CANVAS, CANVAS), Image.Resampling.BILINEAR), dtype=np.float32
    )
    return (1 - gray / 255).ravel()
