"""Read a sheet of digits: cut an image that holds several digits into single MNIST-style digits.

A number, a row of digits or a worksheet grid is found the way a reader would: the ink
is separated from the paper exactly as for one digit (digitnet.preprocess.find_ink), its
connected pieces are labelled, broken strokes of one digit are joined (a 5's detached
top, a 4 or 7 drawn in two strokes), neighbours that touch are split where a clear cut
exists, and the pieces are put in reading order: rows top to bottom, then left to right.
Each piece is then prepared like a single digit (digitnet.preprocess.mnist_from_ink).

Sizes are judged against the sheet's own typical digit height, the median height of its
large pieces, so the same rules serve a phone number photographed from afar and a year
written across a whole page. Boxes are (left, top, right, bottom), right and bottom
exclusive, in pixels of the upright source image.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from digitnet.image.load import (
    ImageError,
    apply_exif_orientation,
    flatten_transparency,
    resize_longest,
    thumbnail_of,
    to_grayscale,
)
from digitnet.image.mnist import center_by_mass, paste_centered, stroke_width
from digitnet.image.morphology import component_boxes, label_components
from digitnet.image.page import open_page
from digitnet.image.plain import fit_box
from digitnet.preprocess import Preprocessed, find_ink, mnist_from_ink

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
SPLIT_WIDTH = 1.3  # a piece wider than this many typical digit widths may hold touching digits
SPLIT_HEIGHTS = 1.1  # ... and than this many typical heights: a single 0 or 4 may be 1.5 digit widths wide
CUT_STROKES = 1.5  # a clear cut crosses one stroke, of at most this many stroke widths of ink: not a 0's two sides
TWO_WIDE = 1.8  # a piece this many digit widths wide ...
WIDE_BLOT = 1.25  # ... and this many typical heights is too wide for one digit: a cut may cross two strokes
PART_HEIGHT_CUT = 0.6  # each side of a cut is at least this share of the piece's height
STEP_COST = 0.1  # a cut path's cost for moving one column aside, so it runs straight through paper
READ_WIDTH = 1.0  # with a network to judge, a piece this many typical digit widths wide may be touching digits
CUT_STEP = 0.25  # ... and cuts are tried every this many typical digit widths across it
SURE_SIDE = 0.9  # ... and it is cut only where the network reads each side at least this surely
MAX_PIECES = 300  # custom_digits.max_pieces' default: more pieces are print, texture or noise
DIGIT_STROKES = 2.5  # a digit is at least this many stroke widths tall (a line or a dash is one)
FLAT = 2.5  # ... and never this many times wider than tall
MAX_TILT = 10.0  # degrees: rows are looked for up to this far off level (a phone held askew) ...
TILT_STEP = 0.25  # ... in steps of this many degrees

# A network that reads digits: pixels (n, 784) float32 MNIST-style -> probabilities (n, 10).
Judge = Callable[[np.ndarray], np.ndarray]


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
    overlap = np.minimum(right[:, None], right[None]) - np.maximum(left[:, None], left[None])
    narrower = np.minimum(widths[:, None], widths[None])
    gap = np.maximum(top[:, None], top[None]) - np.minimum(bottom[:, None], bottom[None])
    tall = np.maximum(bottom[:, None], bottom[None]) - np.minimum(top[:, None], top[None])
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


def cut_path(mask: np.ndarray, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest top-to-bottom path through a blot (h, w) within columns [low, high):
    (ink under it per row (h,) float32, its column per row (h,) int).

    Dynamic programming over rows, vectorized over columns: cost[r, c] = ink[r, c] +
    min(cost[r-1, c], cost[r-1, c -+ 1] + STEP_COST). Each row the path may move one column
    aside, so it can slip between digits that lean or overlap, where a straight column
    would cross them; it crosses a horizontal stroke for about a stroke width of ink.
    """
    height = mask.shape[0]
    ink = mask[:, low:high].astype(np.float32)
    cost = ink[0].copy()
    moves = np.zeros((height, high - low), dtype=np.int8)  # -1, 0, +1: the column the path came from
    for row in range(1, height):
        left = np.concatenate([[np.inf], cost[:-1] + STEP_COST])
        right = np.concatenate([cost[1:] + STEP_COST, [np.inf]])
        options = np.stack([left, cost, right])
        choice = options.argmin(axis=0)
        moves[row] = choice - 1
        cost = ink[row] + options[choice, np.arange(len(cost))]
    path = np.empty(height, dtype=np.int64)
    path[-1] = int(cost.argmin())
    for row in range(height - 1, 0, -1):
        path[row - 1] = path[row] + moves[row, path[row]]
    return ink[np.arange(height), path], path + low


def split_blot(mask: np.ndarray, typical: float, width: float, stroke: float) -> list[np.ndarray]:
    """Cut a blot (h, w) bool of touching digits into digits: [masks (h, w), left to right].

    ``typical`` is the sheet's typical digit height, ``width`` its typical digit width,
    ``stroke`` its stroke width. A blot of ink width w of at least SPLIT_WIDTH digit widths
    and SPLIT_HEIGHTS digit heights may hold n = max(2, round(w / width)) digits; its first
    cut is the cheapest path (cut_path) within half a digit of w / n, kept when it crosses
    one stroke (two when the blot is TWO_WIDE digits and WIDE_BLOT heights wide: two strokes
    pressed together), at most CUT_STROKES stroke widths of ink per stroke, and leaves both
    sides at least PART_HEIGHT_CUT of the blot's height tall (cutting a 4 between its stems
    or a 7 under its bar leaves a short side). The part on the right is cut again the same way.
    """
    columns = np.flatnonzero(mask.any(axis=0))
    if len(columns) == 0 or columns[-1] + 1 - columns[0] < max(SPLIT_WIDTH * width, SPLIT_HEIGHTS * typical):
        return [mask]
    first, last = int(columns[0]), int(columns[-1]) + 1
    span = last - first
    parts = max(2, round(span / width))
    expected = first + span / parts
    low, high = max(first + 1, int(expected - width / 2)), min(last - 1, int(expected + width / 2) + 1)
    if high - low < 1:
        return [mask]
    under, path = cut_path(mask, low, high)
    if (sides := valid_cut(mask, under, path, strokes_allowed(span, typical, width), stroke)) is None:
        return [mask]
    left, right = sides
    return [left, *split_blot(right, typical, width, stroke)]


def strokes_allowed(span: float, typical: float, width: float) -> int:
    """How many strokes a clear cut through a blot ``span`` pixels wide may cross: one where two
    digits touch, two when the blot is TWO_WIDE digit widths and WIDE_BLOT typical heights wide
    (two strokes pressed together)."""
    return 2 if span >= TWO_WIDE * width and span >= WIDE_BLOT * typical else 1


def valid_cut(
    mask: np.ndarray, under: np.ndarray, path: np.ndarray, allowed: int, stroke: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """The two sides (left, right) of a blot (h, w) bool cut along ``path`` (h,) with ``under``
    (h,) ink beneath it, or None when the cut is not a clear one: it crosses more than
    ``allowed`` strokes or more than allowed * CUT_STROKES stroke widths of ink, or leaves a
    side shorter than PART_HEIGHT_CUT of the blot or narrower than a stroke."""
    strokes = int((np.diff(np.r_[0.0, under]) > 0).sum())  # separate strokes crossed: a 0 has two
    left = mask & (np.arange(mask.shape[1])[None, :] < path[:, None])
    right = mask & ~left
    sides = (left, right)
    if (
        strokes > allowed
        or under.sum() > allowed * CUT_STROKES * stroke
        or min(ink_height(side) for side in sides) < PART_HEIGHT_CUT * ink_height(mask)
        or min(int(side.any(axis=0).sum()) for side in sides) < stroke
    ):
        return None
    return left, right


def prepared(ink: np.ndarray, part: np.ndarray) -> Preprocessed:
    """One digit's part (h, w) bool of a region whose ink is ``ink`` (h, w), prepared MNIST-style."""
    return mnist_from_ink(np.where(part, ink, 0).astype(np.float32), part, [], [])


def prepared_plain(ink: np.ndarray, part: np.ndarray) -> np.ndarray:
    """The same digit as ``prepared``, its strokes as written: (784,) float32, cropped to the part,
    fitted in 20 x 20, centred by mass. A thin pen's digit, thickened, can close its own loops
    (a 9's small loop, a 6's); the network reads both and their mean answers."""
    rows, cols = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
    crop = np.where(part, ink, 0)[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    centred = center_by_mass(paste_centered(fit_box(crop)))
    return (centred / max(float(centred.max()), 1e-6)).ravel().astype(np.float32)


def read_apart(mask: np.ndarray, ink: np.ndarray, typical: float, width: float, stroke: float, judge: Judge) -> list[np.ndarray]:
    """Cut a blot (h, w) bool, ink (h, w), into the digits a network reads best: [masks, left to right].

    Recognition decides where shape alone cannot: a 1 pressed against an 8 is no wider than a
    wide 0. Clear cuts (valid_cut) are tried every CUT_STEP digit widths, each the cheapest path
    (cut_path) within half a digit width. With p the network's top probability of a piece
    prepared MNIST-style, the blot is cut where p(left) p(right) is largest among the cuts
    whose sides both read at least SURE_SIDE, when that beats p(whole): the two digits must
    together read more surely than the one. Each side is read apart again.
    """
    columns = np.flatnonzero(mask.any(axis=0))
    if len(columns) == 0 or columns[-1] + 1 - columns[0] < READ_WIDTH * width:
        return [mask]
    first, last = int(columns[0]), int(columns[-1]) + 1
    allowed = strokes_allowed(last - first, typical, width)
    cuts, seen = [], set()
    for center in np.arange(first + width / 4, last - width / 4 + 1, max(1.0, CUT_STEP * width)):
        low, high = max(first + 1, int(center - width / 4)), min(last - 1, int(center + width / 4) + 1)
        if high - low < 1:
            continue
        under, path = cut_path(mask, low, high)
        if path.tobytes() in seen:
            continue
        seen.add(path.tobytes())
        if (sides := valid_cut(mask, under, path, allowed, stroke)) is not None:
            cuts.append(sides)
    if not cuts:
        return [mask]
    pixels = np.stack([prepared(ink, piece).pixels for piece in [mask, *(side for sides in cuts for side in sides)]])
    sure = judge(pixels).max(axis=1)  # (1 + 2 cuts,): the whole, then each cut's left and right
    left_sure, right_sure = sure[1::2], sure[2::2]
    together = np.where(np.minimum(left_sure, right_sure) >= SURE_SIDE, left_sure * right_sure, 0.0)
    best = int(np.argmax(together))
    if together[best] <= sure[0]:
        return [mask]
    left, right = cuts[best]
    return [*read_apart(left, ink, typical, width, stroke, judge), *read_apart(right, ink, typical, width, stroke, judge)]


def ink_height(mask: np.ndarray) -> int:
    """Rows from the first with ink to the last of a mask (h, w) bool; 0 without ink."""
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows[-1] + 1 - rows[0]) if len(rows) else 0


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


def row_slope(x: np.ndarray, y: np.ndarray, typical: float) -> float:
    """The slope (dy / dx) of a sheet's rows, from the centres x, y (K,) of its pieces.

    Rows run straight through their digits' centres: seen along the right slope t, the heights
    y - t x bunch into a few tight groups, one per row. Every slope within MAX_TILT degrees is
    tried, each scored by how tightly the pieces bunch, sum over pairs exp(-(gap / (typical/4))^2),
    and the best wins (the first among equals, the level one when a sheet has a single piece).
    """
    slopes = np.tan(np.radians(np.arange(-MAX_TILT, MAX_TILT + TILT_STEP / 2, TILT_STEP)))  # (S,)
    slopes = slopes[np.argsort(np.abs(slopes), kind="stable")]  # level first: ties go to it
    heights = y[None, :] - slopes[:, None] * x[None, :]  # (S, K)
    gaps = (heights[:, :, None] - heights[:, None, :]) / (typical / 4)  # (S, K, K)
    return float(slopes[int(np.argmax(np.exp(-(gaps**2)).sum(axis=(1, 2))))])


def band_rows(heights: np.ndarray, typical: float) -> np.ndarray:
    """Row index (K,) from heights (K,) across the rows: a piece joins the row above it when its
    height lies within half a typical height of that row's (median), else it starts a new row."""
    order = np.argsort(heights, kind="stable")
    rows = np.empty(len(heights), dtype=np.int64)
    members: list[float] = []
    count = 0
    for index in order:
        if members and abs(heights[index] - np.median(members)) <= typical / 2:
            members.append(heights[index])
        else:
            count += 1
            members = [heights[index]]
        rows[index] = count - 1
    return rows


def reading_rows(boxes: np.ndarray, typical: float) -> tuple[np.ndarray, np.ndarray]:
    """(row (K,) of each box, reading order (K,): indices top row first, left to right in each).

    A row photographed off level, or a page in perspective, slopes or fans out: rows are not
    horizontal bands. The sheet's slope is found first (row_slope), rows are cut as bands
    across it (band_rows), then each row's baseline is fitted through its centres (a straight
    line; rows of fewer than three pieces take the sheet's slope) and every piece joins the row
    whose line passes nearest its centre, twice over. Rows are numbered by where their lines
    cross the middle of the sheet.
    """
    x, y = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    middle = float(x.mean())
    slope = row_slope(x - middle, y, typical)
    rows = band_rows(y - slope * (x - middle), typical)
    for _ in range(2):
        lines = []
        for row in np.unique(rows):
            own = rows == row
            fitted = np.polyfit(x[own] - middle, y[own], 1)[0] if own.sum() >= 3 and np.ptp(x[own]) > 0 else slope
            lines.append((fitted, float(np.mean(y[own] - fitted * (x[own] - middle)))))
        lines.sort(key=lambda line: line[1])  # top to bottom, where each crosses the middle
        predicted = np.array([[b + a * (xi - middle) for a, b in lines] for xi in x])  # (K, rows)
        rows = np.unique(np.argmin(np.abs(predicted - y[:, None]), axis=1), return_inverse=True)[1]
    along = x + slope * y  # position along the rows' direction
    return rows, np.lexsort((along, rows))


def find_pieces(
    ink: np.ndarray, mask: np.ndarray, judge: Judge | None = None, max_pieces: int = MAX_PIECES
) -> list[tuple[tuple[int, int, int, int], np.ndarray]]:
    """Cut a sheet's ink (H, W) into digits: [(box in these pixels, that digit's mask within the box)], unordered.

    Touching digits are split by shape alone (split_blot), or, given a network to ``judge``
    the pieces, where it reads them best (read_apart).
    """
    labels, boxes, areas = component_boxes(label_components(mask))
    typical = typical_height(boxes, areas)
    groups = group_labels(merge_pairs(boxes, typical))
    group_of = np.concatenate([[-1], groups])[labels]  # (H, W): group per pixel, -1 for paper
    stroke = stroke_width(mask)
    merged = np.array(
        [np.r_[boxes[groups == g, :2].min(axis=0), boxes[groups == g, 2:].max(axis=0)] for g in range(groups.max() + 1)]
    )
    width = typical_width(merged, typical)
    sized = int((merged[:, 3] - merged[:, 1] >= MIN_HEIGHT * typical).sum())
    if sized > max_pieces:
        # Checked before any piece is cut or prepared: the cost and the memory grow with the pieces.
        raise ImageError(
            f"this looks like print, a texture or noise, not a sheet of handwritten digits: it cuts into {sized} pieces, "
            f"more than custom_digits.max_pieces ({max_pieces})"
        )
    pieces = []
    for group, (left, top, right, bottom) in enumerate(merged):
        if bottom - top < MIN_HEIGHT * typical:
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
    return pieces


def not_a_digit(box: tuple[int, int, int, int], stroke: float, shape: tuple[int, int]) -> bool:
    """Whether a piece's box (left, top, right, bottom) holds a line rather than a digit, judged
    in strokes of width ``stroke`` within an image of ``shape`` (H, W).

    A digit is several strokes tall: a piece under DIGIT_STROKES strokes tall is a dash, a dot or
    a printed line; so is a piece FLAT times wider than tall, what is left of a ruled line (no
    digit is that flat, and touching digits were parted before). A piece at the image's border (within
    a stroke of it) under DIGIT_STROKES strokes wide is the paper's edge or its shadow (a 1 at the border
    is read as the edge it cannot be told from).
    """
    left, top, right, bottom = box
    near = stroke  # within a stroke's width of the border: the paper's edge is seldom cut exactly
    at_border = left <= near or top <= near or right >= shape[1] - near or bottom >= shape[0] - near
    flat = bottom - top < DIGIT_STROKES * stroke or right - left > FLAT * (bottom - top)
    return flat or (at_border and right - left < DIGIT_STROKES * stroke)


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
    ink, mask = find_ink(gray, [], notes, min_share=SPECK_SHARE)
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
