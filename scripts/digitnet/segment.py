"""Read a sheet of digits: cut an image that holds several digits into single MNIST-style digits.

A number, a row of digits or a worksheet grid is found the way a reader would: the ink
is separated from the paper exactly as for one digit (digitnet.preprocess.find_ink), its
connected pieces are labelled, broken strokes of one digit are joined (a 5's detached
top, a 4 or 7 drawn in two strokes), neighbours that touch are split where a clear cut
exists (or, given a network to judge, where it reads both sides surely), strokes side by side
are joined where that network reads them as one digit, and the pieces are put in reading
order: rows top to bottom, then left to right.
Each piece is then prepared like a single digit (digitnet.preprocess.mnist_from_ink).

Sizes are judged against the sheet's own typical digit height, the median height of its
large pieces, so the same rules serve a phone number photographed from afar and a year
written across a whole page. Boxes are (left, top, right, bottom), right and bottom
exclusive, in pixels of the upright source image.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from digitnet.cuts import BoxedMask, Judge, pairwise_spans, prepared, prepared_plain, read_apart, read_together, split_blot
from digitnet.image.lines import DIGIT_STROKES  # a digit is at least this many stroke widths tall
from digitnet.image.load import (
    ImageError,
    apply_exif_orientation,
    flatten_transparency,
    resize_longest,
    thumbnail_of,
    to_grayscale,
)
from digitnet.image.mnist import stroke_width
from digitnet.image.morphology import component_boxes, label_components
from digitnet.image.page import open_page
from digitnet.preprocess import find_ink
from digitnet.rows import reading_rows

SHEET_WORK_SIZE = 640  # longest side at which a sheet's ink is found: a row of 8 digits gets ~80 px each
SHEET_THUMBNAIL = 480  # longest side of the view on which the report draws the boxes
SPECK_SHARE = 0.02  # pieces under this share of the largest are noise (a digit's loose stroke is more)
MERGE_OVERLAP = 0.5  # two pieces overlapping in x by this share of the narrower one may be one digit
MERGE_GAP = 0.3  # ... when the vertical gap between them is under this share of the typical height
MERGE_TALL = 1.4  # ... and together they are no taller than this many typical heights
PART_HEIGHT = 0.75  # ... and one of them is a part: shorter than this share of the typical height
MIN_HEIGHT = 0.3  # pieces shorter than this share of the typical height are not digits (a small 0 is 0.4)
DIGIT_WIDTH = 0.7  # a digit's width / height, when a sheet has no piece to measure it on
NARROW = 0.4  # pieces narrower than this many typical heights are strokes (a 1), not a digit's width
WIDTH_RANGE = (0.5, 0.8)  # a sheet's typical digit width, in typical heights, is kept within these
MAX_PIECES = 300  # custom_digits.max_pieces' default: more pieces are print, texture or noise
PIECES_PER_DIGIT = 4  # ... and more than this many connected pieces per digit allowed, before any is joined
FLAT = 2.5  # a digit is never this many times wider than tall (nor under DIGIT_STROKES strokes tall)
# A piece at the image's border that runs farther than this many typical heights, across or down,
# is the paper's edge, its shadow or the desk beyond it: no digit is taller than MERGE_TALL, and
# two touching digits are not this wide. Anywhere else, a piece this tall and NARROW is a line
# (the page's edge seen just inside the photo, a margin's rule, a fold), not a 1.
EDGE_LENGTH = 2.0



@dataclass
class Piece:
    """One digit of a sheet.

    box: (left, top, right, bottom) in the upright source image's pixels.
    row: 0-based row index in reading order.
    pixels: (784,) float32 in [0, 1], MNIST-style, as for a single digit: its strokes brought
    near MNIST's width (prepared).
    ink_fraction: share of the 28 x 28 pixels above 0.5.
    plain: (784,) float32, the same digit with its strokes as written (prepared_plain).
    """

    box: tuple[int, int, int, int]
    row: int
    pixels: np.ndarray
    ink_fraction: float
    plain: np.ndarray | None = None


@dataclass
class Sheet:
    """A segmented image: its size (width, height), its pieces in reading order, and notes in words."""

    size: tuple[int, int]
    pieces: list[Piece] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def typical_height(boxes: np.ndarray, areas: np.ndarray) -> float:
    """Median height of the large pieces (area at least a quarter of the largest): one digit's height."""
    heights = boxes[:, 3] - boxes[:, 1]
    return float(np.median(heights[areas >= 0.25 * areas.max()]))


def at_border(boxes: np.ndarray, shape: tuple[int, int], near: float) -> np.ndarray:
    """(K,) bool: which boxes (K, 4) of (left, top, right, bottom) come within ``near`` pixels of
    the border of an image of ``shape`` (H, W)."""
    left, top, right, bottom = (boxes[:, k] for k in range(4))
    return (left <= near) | (top <= near) | (right >= shape[1] - near) | (bottom >= shape[0] - near)


def digit_height(boxes: np.ndarray, areas: np.ndarray, border: np.ndarray) -> float:
    """typical_height of the pieces away from the image's border (``border``, (K,) bool), where
    there are any. A page photographed a little turned shows its edge, or the shadow along it,
    as long dark lines that reach the border: more ink than any digit, they would be the "large
    pieces", and every digit would then look too small to be one, or be joined to the one below it."""
    inside = ~border
    return typical_height(boxes[inside], areas[inside]) if inside.any() else typical_height(boxes, areas)


def merge_pairs(boxes: np.ndarray, typical: float) -> np.ndarray:
    """Which pieces are strokes of one digit: (K, K) bool, symmetric.

    Two pieces are joined when they overlap in x by MERGE_OVERLAP of the narrower one, lie
    one above the other with a vertical gap under MERGE_GAP typical heights, would together
    be at most MERGE_TALL typical heights tall, and one of them is a part of a digit (shorter
    than PART_HEIGHT): so two digits of a column in a grid, or a 1 beside a 7 whose bar
    overhangs it, stay apart.
    """
    left, top, right, bottom = (boxes[:, k] for k in range(4))
    widths, heights = right - left, bottom - top
    overlap, _ = pairwise_spans(left, right)
    narrower = np.minimum(widths[:, None], widths[None])
    down, tall = pairwise_spans(top, bottom)
    gap = -down  # the vertical gap between the two (negative where they overlap in height)
    part = np.minimum(heights[:, None], heights[None]) < PART_HEIGHT * typical
    joined = (overlap >= MERGE_OVERLAP * narrower) & (gap <= MERGE_GAP * typical) & (tall <= MERGE_TALL * typical) & part
    np.fill_diagonal(joined, False)
    return joined


def group_labels(joined: np.ndarray) -> np.ndarray:
    """Connected groups of a (K, K) bool adjacency: (K,) group index per piece, 0..G-1.

    Label propagation on a small matrix: each piece takes the smallest index it is joined to
    until nothing changes (at most K rounds, K being the number of pieces, not pixels).
    """
    count = len(joined)
    group = np.arange(count)
    reach = joined | np.eye(count, dtype=bool)
    while True:
        updated = np.where(reach, group[None, :], count).min(axis=1)
        if np.array_equal(updated, group):
            return np.unique(group, return_inverse=True)[1]
        group = updated


def typical_width(boxes: np.ndarray, typical: float) -> float:
    """A digit's width on this sheet: the median width of its digit-sized pieces (at least
    MIN_HEIGHT typical heights tall) that are not strokes (at least NARROW typical heights
    wide: a 1 tells nothing of how wide the others are), kept within WIDTH_RANGE typical
    heights: most digits stand alone, so the median is one digit's, and the range keeps a
    sheet of few pieces, mostly joined, from taking a pair for one digit."""
    widths, heights = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    digits = widths[(heights >= MIN_HEIGHT * typical) & (widths >= NARROW * typical)]
    median = float(np.median(digits)) if len(digits) else DIGIT_WIDTH * typical
    return float(np.clip(median, WIDTH_RANGE[0] * typical, WIDTH_RANGE[1] * typical))


def find_pieces(
    ink: np.ndarray, mask: np.ndarray, judge: Judge | None = None, max_pieces: int = MAX_PIECES
) -> list[BoxedMask]:
    """Cut a sheet's ink (H, W) into digits: [(box in these pixels, that digit's mask within the box)], unordered.

    Touching digits are split by shape alone (split_blot), or, given a network to ``judge``
    the pieces, where it reads them best (read_apart); that network also joins the strokes of
    one digit that stand side by side (read_together).
    """
    labels, boxes, areas = component_boxes(label_components(mask))
    if len(boxes) > PIECES_PER_DIGIT * max_pieces:
        # Before anything pairs the pieces up (merge_pairs is K x K): thousands of specks would
        # cost gigabytes there. A sheet of max_pieces digits has a few broken strokes each at most.
        raise ImageError(texture_message(len(boxes), max_pieces))
    stroke = stroke_width(mask)
    typical = digit_height(boxes, areas, at_border(boxes, mask.shape, stroke))
    groups = group_labels(merge_pairs(boxes, typical))
    group_of = np.concatenate([[-1], groups])[labels]  # (H, W): group per pixel, -1 for paper
    merged = np.array(
        [np.r_[boxes[groups == g, :2].min(axis=0), boxes[groups == g, 2:].max(axis=0)] for g in range(groups.max() + 1)]
    )
    width = typical_width(merged, typical)
    sized = int((merged[:, 3] - merged[:, 1] >= MIN_HEIGHT * typical).sum())
    if sized > max_pieces:
        # Checked before any piece is cut or prepared: the cost and the memory grow with the pieces.
        raise ImageError(texture_message(sized, max_pieces))
    widths, heights = merged[:, 2] - merged[:, 0], merged[:, 3] - merged[:, 1]
    long = np.maximum(widths, heights) > EDGE_LENGTH * typical
    edge = (long & at_border(merged, mask.shape, stroke)) | ((heights > EDGE_LENGTH * typical) & (widths < NARROW * typical))
    pieces = []
    for group, (left, top, right, bottom) in enumerate(merged):
        if bottom - top < MIN_HEIGHT * typical or edge[group]:
            continue
        own = group_of[top:bottom, left:right] == group
        parts = split_blot(own, typical, width, stroke)
        if judge is not None:
            region = ink[top:bottom, left:right]
            parts = [digit for part in parts for digit in read_apart(part, region, typical, width, stroke, judge)]
        for part in parts:
            rows, cols = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
            if len(rows) == 0 or rows[-1] + 1 - rows[0] < MIN_HEIGHT * typical:
                continue
            box = (int(left + cols[0]), int(top + rows[0]), int(left + cols[-1] + 1), int(top + rows[-1] + 1))
            if not_a_digit(box, stroke, mask.shape):
                continue
            pieces.append((box, part[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]))
    if judge is not None and len(pieces) > 1:
        pieces = read_together(pieces, ink, PART_HEIGHT * typical, width, judge)
    return pieces


def not_a_digit(box: tuple[int, int, int, int], stroke: float, shape: tuple[int, int]) -> bool:
    """Whether a piece's box (left, top, right, bottom) holds a line rather than a digit, judged
    in strokes of width ``stroke`` within an image of ``shape`` (H, W).

    A digit is several strokes tall: a piece under DIGIT_STROKES strokes tall is a dash, a dot or
    a printed line; so is a piece FLAT times wider than tall, what is left of a ruled line (no
    digit is that flat, and touching digits were parted before). A piece at the image's border (within
    a stroke of it: the paper's edge is seldom cut exactly) under DIGIT_STROKES strokes wide is the
    paper's edge or its shadow (a 1 at the border is read as the edge it cannot be told from).
    """
    left, top, right, bottom = box
    edge = bool(at_border(np.array([box]), shape, stroke)[0])
    flat = bottom - top < DIGIT_STROKES * stroke or right - left > FLAT * (bottom - top)
    return flat or (edge and right - left < DIGIT_STROKES * stroke)


def texture_message(pieces: int, max_pieces: int) -> str:
    """Why a page that cuts into too many pieces is not read, in words."""
    return (
        f"this looks like print, a texture or noise, not a sheet of handwritten digits: it cuts into {pieces} pieces, "
        f"more than custom_digits.max_pieces ({max_pieces})"
    )


def segment_image(image: Image.Image, judge: Judge | None = None) -> Sheet:
    """Segment a decoded image into digits in reading order, each prepared like MNIST; touching
    digits are split where the network ``judge`` reads them best, if one is given (find_pieces)."""
    return segment_gray(to_grayscale(flatten_transparency(apply_exif_orientation(image))), judge)


def segment_gray(gray_full: np.ndarray, judge: Judge | None = None, max_pieces: int = MAX_PIECES) -> Sheet:
    """Segment gray levels (H, W) of an upright image into digits in reading order (reading_rows),
    each prepared like MNIST; boxes in the pixels of ``gray_full``. ImageError when the ink cuts
    into more than ``max_pieces`` digit-sized pieces: print, a texture or noise, not a sheet."""
    gray = resize_longest(gray_full, SHEET_WORK_SIZE)
    notes: list[str] = []
    ink, mask = find_ink(gray, [], notes, min_share=SPECK_SHARE, inner=True)
    found = find_pieces(ink, mask, judge, max_pieces)
    sheet = Sheet(size=(gray_full.shape[1], gray_full.shape[0]), notes=notes)
    if not found:
        sheet.notes.append("no digit-sized piece of ink")
        return sheet
    scale = gray_full.shape[1] / gray.shape[1]
    boxes = np.array([box for box, _ in found], dtype=np.int64)
    rows, order = reading_rows(boxes, typical_height(boxes, np.array([part.sum() for _, part in found])))
    for index in order:
        (left, top, right, bottom), part = found[index]
        digit = prepared(ink[top:bottom, left:right], part)
        source_box = tuple(int(round(v * scale)) for v in (left, top, right, bottom))
        plain = prepared_plain(ink[top:bottom, left:right], part)
        sheet.pieces.append(Piece(source_box, int(rows[index]), digit.pixels, digit.ink_fraction, plain))
    sheet.notes.append(f"{len(sheet.pieces)} digits in {rows.max() + 1} rows")
    return sheet


def segment_file(path: Path, max_megapixels: float = 40.0, judge: Judge | None = None) -> tuple[Sheet, np.ndarray]:
    """Open ``path`` (a page on a desk cut out and straightened: open_page) and segment it; also
    return an RGB view (h, w, 3) uint8 of what was read, longest side at most SHEET_THUMBNAIL,
    on which boxes are drawn after scaling them by h / sheet.size[1]."""
    upright, notes = open_page(path, max_megapixels, SHEET_WORK_SIZE)
    sheet = segment_gray(to_grayscale(upright), judge)
    sheet.notes[:0] = notes
    return sheet, thumbnail_of(upright, SHEET_THUMBNAIL)


def looks_like_sheet(sheet: Sheet) -> bool:
    """Whether an image holds several digits (for custom_digits' automatic mode).

    True when at least two pieces are of digit size, their heights within a factor of two
    of the tallest: a row or a grid. One digit with a loose stroke joins into one piece, and
    specks or a dash are too small to count.
    """
    if len(sheet.pieces) < 2:
        return False
    heights = np.array([piece.box[3] - piece.box[1] for piece in sheet.pieces])
    return int((heights >= heights.max() / 2).sum()) >= 2
