"""Where touching digits of a sheet part: the cheapest cut through a blot, by shape alone or
as the reading network judges; and, as it judges, which strokes side by side are one digit.

Masks are (h, w) bool, ink (h, w) float32 in [0, 1]; ``typical`` is the sheet's typical digit
height, ``width`` its typical digit width and ``stroke`` its stroke width, all in pixels of the
sheet at its working size (digitnet.segment).
"""

from collections.abc import Callable

import numpy as np

from digitnet.image.mnist import center_by_mass, paste_centered
from digitnet.image.plain import fit_box
from digitnet.preprocess import Preprocessed, mnist_from_ink

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
JOIN_WIDTH = 1.5  # two strokes side by side whose union is at most this many typical digit widths wide may be one digit

# A network that reads digits: pixels (n, 784) float32 MNIST-style -> probabilities (n, 10).
Judge = Callable[[np.ndarray], np.ndarray]
# A piece of a sheet: its box (left, top, right, bottom) and its mask (h, w) bool within the box.
BoxedMask = tuple[tuple[int, int, int, int], np.ndarray]


def pairwise_spans(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For K intervals [low, high) along one axis (K,): (overlap (K, K), extent (K, K)), how far
    each pair overlaps (negative: the gap between them) and how far the two span together."""
    overlap = np.minimum(high[:, None], high[None]) - np.maximum(low[:, None], low[None])
    extent = np.maximum(high[:, None], high[None]) - np.minimum(low[:, None], low[None])
    return overlap, extent


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


def read_together(pieces: list[BoxedMask], ink: np.ndarray, part_height: float, width: float, judge: Judge) -> list[BoxedMask]:
    """Join the strokes of one digit that lie side by side: pieces in, pieces out (fewer where joined).

    A digit drawn in two strokes that miss each other (a 4 whose stem misses its arm, a 6 whose
    hook misses its loop) leaves two pieces side by side, which merge_pairs (one piece above the
    other) does not join, and each reads as some digit, often surely: a stroke is a good 1. Two
    pieces are candidates when their boxes overlap in width and in height (digits of a row stand
    apart), their union is at most JOIN_WIDTH typical digit widths wide, and one of them is a part
    of a digit: shorter than ``part_height`` pixels (as digitnet.segment.merge_pairs has it for a
    stroke above another), or read under SURE_SIDE. They are joined when the network reads the
    union at least SURE_SIDE surely. Each piece joins at most one other, the surest unions first.
    ``pieces`` are in pixels of ``ink`` (H, W).
    """
    boxes = np.array([box for box, _ in pieces], dtype=np.int64).reshape(-1, 4)
    left, top, right, bottom = (boxes[:, k] for k in range(4))
    across, union_width = pairwise_spans(left, right)
    down, _ = pairwise_spans(top, bottom)
    candidates = (across > 0) & (down > 0) & (union_width <= JOIN_WIDTH * width)
    pairs = np.argwhere(np.triu(candidates, k=1))  # (P, 2), most sheets: none
    if len(pairs) == 0:
        return pieces
    involved = np.unique(pairs)
    sure_alone = np.ones(len(pieces))
    sure_alone[involved] = judge(np.stack([piece_pixels(ink, *pieces[k]) for k in involved])).max(axis=1)
    part = (bottom - top < part_height) | (sure_alone < SURE_SIDE)  # (K,)
    pairs = pairs[part[pairs[:, 0]] | part[pairs[:, 1]]]
    if len(pairs) == 0:
        return pieces
    unions = [union_of(pieces[i], pieces[j]) for i, j in pairs]
    sure_union = judge(np.stack([piece_pixels(ink, *union) for union in unions])).max(axis=1)  # (P,)
    taken: set[int] = set()
    result = []
    for k in np.argsort(-sure_union, kind="stable"):
        i, j = (int(v) for v in pairs[k])
        if sure_union[k] >= SURE_SIDE and i not in taken and j not in taken:
            taken |= {i, j}
            result.append(unions[k])
    return result + [piece for k, piece in enumerate(pieces) if k not in taken]


def piece_pixels(ink: np.ndarray, box: tuple[int, int, int, int], mask: np.ndarray) -> np.ndarray:
    """(784,) float32: the piece of ``ink`` (H, W) in ``box`` (left, top, right, bottom), its ``mask`` only, prepared MNIST-style."""
    left, top, right, bottom = box
    return prepared(ink[top:bottom, left:right], mask).pixels


def union_of(a: BoxedMask, b: BoxedMask) -> BoxedMask:
    """Two pieces as one: the box around both, and both masks in it."""
    (la, ta, ra, ba), mask_a = a
    (lb, tb, rb, bb), mask_b = b
    left, top, right, bottom = min(la, lb), min(ta, tb), max(ra, rb), max(ba, bb)
    mask = np.zeros((bottom - top, right - left), dtype=bool)
    mask[ta - top : ba - top, la - left : ra - left] |= mask_a
    mask[tb - top : bb - top, lb - left : rb - left] |= mask_b
    return (left, top, right, bottom), mask


def ink_height(mask: np.ndarray) -> int:
    """Rows from the first with ink to the last of a mask (h, w) bool; 0 without ink."""
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows[-1] + 1 - rows[0]) if len(rows) else 0
