"""The printed lines of ruled and squared paper and of a form's boxes, removed without cutting the
strokes that cross them, and without taking a digit's own long straight strokes for them."""

from dataclasses import dataclass

import numpy as np

from digitnet.image.morphology import run_bounds, stroke_width

# Printed lines of ruled or squared paper: rows (or columns) covered over 50% of the image's
# width, at most 4% of its height thick, tilted up to about 3 degrees.
LINE_COVERAGE = 0.5
LINE_THICKNESS = 0.04
LINE_TILT = 0.05
TILT_STEPS = 9  # tilts tried, evenly over +-LINE_TILT: a line drifts at most a row per 160 columns from the nearest
# How a band's end lies tells a paper's line from a digit's stroke as long and straight (a 7's
# bar and stem, a 4's stem, in a crop the digit fills). A printed line runs out of the picture
# (to within LINE_EDGE pixels of its edge), ends free or crossed by another line, or meets
# another printed line in a corner, as a box's sides do. A digit's stroke ends where a stroke
# that is no printed line turns off it (a 7's hook, a 4's arm), or it is half of an L: a corner
# at one end and a free end at the other (a 7's bar and stem).
LINE_EDGE = 2
# Paper is ruled in sets, and a box has two sides each way: a band with no other printed line
# beside it, the same way, is one long stroke (a 1, a 4's stem), not the paper's.
LINE_SET = 2
# A page photographed in perspective has lines of several tilts, and a thin line drifts off the
# rows of a tilt a step from its own: each round of removal takes the lines of one tilt.
LINE_ROUNDS = 3

# A digit is at least DIGIT_STROKES stroke widths tall: ink thinner than that along the rows,
# at any tilt up to LINE_TILT, is one line or a dash (a rule of the paper, or what is left of it).
DIGIT_STROKES = 2.5

# How a band ends, at each of its two ends (end_kinds).
EDGE, FREE, CORNER, TURN = range(4)


def sheared_rows(ys: np.ndarray, xs: np.ndarray, width: int, tilts: np.ndarray) -> np.ndarray:
    """Each ink pixel's row along each tilt: (T, P) int, y - round(t (x - W/2)) for pixels at
    rows ys, columns xs (P,) of an image W wide, and tilts (T,): a line of tilt t is one row."""
    return ys[None, :] - np.round(tilts[:, None] * (xs[None, :] - width / 2)).astype(np.int64)


@dataclass
class Bands:
    """The candidate lines along the rows of a mask: thin straight bands of ink across it.

    rows, columns: (L,) the mask's ink pixels that lie on a band; band: (L,) which band (0..B-1);
    start, end: (L,) the first and last row of that band, in the sheared frame of ``shear``;
    crossed: (L,) a stroke crosses the band there (ink just above or below it), so the pixel
    stays when the band goes; tilt and pad: the shear, row' = row - round(tilt (column - W/2)) + pad;
    image: (H + 2 pad, W) bool, the whole mask in that frame.
    """

    rows: np.ndarray
    columns: np.ndarray
    band: np.ndarray
    start: np.ndarray
    end: np.ndarray
    crossed: np.ndarray
    tilt: float
    pad: int
    image: np.ndarray

    def shear(self, mask: np.ndarray) -> np.ndarray:
        """The mask (H, W) bool in the bands' sheared frame: (H + 2 pad, W) bool."""
        height, width = mask.shape
        ys, xs = np.nonzero(mask)
        image = np.zeros((height + 2 * self.pad, width), dtype=bool)
        image[sheared_rows(ys, xs, width, np.array([self.tilt]))[0] + self.pad, xs] = True
        return image


def candidate_bands(mask: np.ndarray) -> Bands | None:
    """The bands of the mask (H, W) bool that may be printed lines along its rows, or None.

    A ruled or squared paper's line runs across the whole image, thin and straight, maybe
    tilted by a few degrees. For each tilt t in +-LINE_TILT the ink is summed along lines
    y - t (x - W/2) = const (a shear, then a row sum: a Radon transform at a few angles);
    the tilt with the highest peak wins, and rows of it covered over LINE_COVERAGE of the
    width, in bands at most LINE_THICKNESS of the height thick, are candidates. A pixel of one
    is crossed where ink lies within two pixels above or below the band in its column: there
    a stroke crosses the line, and removing the line must not cut it.
    """
    height, width = mask.shape
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return None
    pad = int(np.ceil(LINE_TILT * width / 2)) + 3
    tilts = np.linspace(-LINE_TILT, LINE_TILT, TILT_STEPS)
    sheared = sheared_rows(ys, xs, width, tilts) + pad  # (TILT_STEPS, P)
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
        return None
    on = np.flatnonzero(line[rows])  # the ink pixels that lie on a band
    band = np.unique(start[rows[on]], return_inverse=True)[1]
    crossed = np.zeros(len(on), dtype=bool)
    image = np.zeros((span, width), dtype=bool)
    image[rows, xs] = True  # the mask along the winning tilt
    bands = Bands(ys[on], xs[on], band, start[rows[on]], end[rows[on]], crossed, float(tilts[best]), pad, image)
    for offset in (1, 2):
        bands.crossed |= image[np.maximum(bands.start - offset, 0), bands.columns]
        bands.crossed |= image[np.minimum(bands.end + offset, span - 1), bands.columns]
    return bands


def end_kinds(bands: Bands, mask: np.ndarray, others: np.ndarray) -> np.ndarray:
    """How each band of ``bands`` (candidates along the rows of mask (H, W) bool) ends: (B, 2),
    EDGE, FREE, CORNER or TURN at its first and last column.

    A stroke turns off an end when, in the columns within a band's thickness t of it, ink lies 2t
    beyond the band on one side and not on the other; ink on both sides is a line crossing it
    (FREE), and a 7's bar that overshoots its stem by a pixel or two does not reach 2t. The end
    is a CORNER when that stroke is one of ``others`` (H, W) bool, the candidate lines across
    the other way, and a TURN when it is not. An end within LINE_EDGE pixels of the image's
    edge is the EDGE: the line runs on out of the picture. A band that covers under
    LINE_COVERAGE of the width once ``others`` are set aside is a stroke, TURN at both ends.
    """
    width = mask.shape[1]
    count = int(bands.band.max()) + 1
    thickness = bands.end - bands.start + 1  # (L,)
    # A band is measured without the lines across it: a 4's bar in a box reaches the box's sides
    # only through them, and is no line once they are set aside.
    own = ~others[bands.rows, bands.columns]  # (L,)
    first, last = np.full(count, width), np.full(count, -1)
    np.minimum.at(first, bands.band[own], bands.columns[own])
    np.maximum.at(last, bands.band[own], bands.columns[own])
    covered = np.bincount(np.unique(bands.band[own] * width + bands.columns[own]) // width, minlength=count)

    def turning(image: np.ndarray, at_end: np.ndarray) -> np.ndarray:
        """(B,) bool: a stroke of image (the sheared ink) turns off each band at the end at_end (L,) marks."""
        seen = np.zeros((2, count), dtype=bool)  # per band: ink above, ink below, 2t beyond it
        for k, row in enumerate((bands.start - 2 * thickness, bands.end + 2 * thickness)):
            np.logical_or.at(seen[k], bands.band[at_end], image[np.clip(row, 0, len(image) - 1), bands.columns][at_end])
        return seen[0] ^ seen[1]

    rest = bands.shear(mask & ~others)
    kinds = np.full((count, 2), FREE)
    ends = (
        (bands.columns < first[bands.band] + thickness, first <= LINE_EDGE),  # (the end's pixels (L,), at the edge (B,))
        (bands.columns > last[bands.band] - thickness, last >= width - 1 - LINE_EDGE),
    )
    for k, (at_end, edge) in enumerate(ends):
        kinds[turning(bands.image, at_end), k] = CORNER
        kinds[turning(rest, at_end), k] = TURN
        kinds[edge, k] = EDGE
    kinds[covered < LINE_COVERAGE * width] = TURN  # too short to be a line on its own
    return kinds


def is_printed(kinds: np.ndarray) -> np.ndarray:
    """(B,) bool: which bands, by how their ends lie (B, 2), are printed lines: no stroke that is no
    printed line turns off either end, and no band is half of an L (a corner and a free end)."""
    ends = np.sort(kinds, axis=1)
    return (ends[:, 1] != TURN) & ~((ends[:, 0] == FREE) & (ends[:, 1] == CORNER))


def band_pixels(bands: Bands | None, shape: tuple[int, int]) -> np.ndarray:
    """Every pixel of the candidate bands as a mask (H, W) bool (all False for None)."""
    pixels = np.zeros(shape, dtype=bool)
    if bands is not None:
        pixels[bands.rows, bands.columns] = True
    return pixels


def remove_lines(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Remove printed lines from (ink, mask) (H, W) in rounds (remove_lines_once) until one removes
    nothing, at most LINE_ROUNDS; also return how many line pixels went.

    Each round takes the lines of the tilt with the highest peak. On a page in perspective the
    lines converge, and those a tilt step away from it are left for the next round.
    """
    total = 0
    for _ in range(LINE_ROUNDS):
        ink, mask, removed = remove_lines_once(ink, mask)
        total += removed
        if not removed:
            break
    return ink, mask, total


def remove_lines_once(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """One round of remove_lines: remove printed lines, across and down, from (ink, mask) (H, W)
    but where strokes cross them; also return how many line pixels went.

    The candidates both ways (candidate_bands) are found first, so that a band's end can be told
    to meet a line across it (a box's corner) or a stroke (end_kinds); then the printed ones of
    each way go, when there are at least LINE_SET of them.
    """
    across, down = candidate_bands(mask), candidate_bands(mask.T)
    lines = np.zeros_like(mask)
    for bands, flip in ((across, False), (down, True)):
        if bands is None:
            continue
        own = mask.T if flip else mask
        others = band_pixels(across, mask.shape).T if flip else band_pixels(down, mask.T.shape).T
        printed = is_printed(end_kinds(bands, own, others))
        if printed.sum() < LINE_SET:
            continue
        go = printed[bands.band] & ~bands.crossed
        rows, columns = bands.rows[go], bands.columns[go]
        lines[(columns, rows) if flip else (rows, columns)] = True
    kept = mask & ~lines
    return np.where(kept, ink, 0).astype(np.float32), kept, int(lines.sum())


def is_a_line(mask: np.ndarray) -> bool:
    """Whether the ink of a mask (H, W) bool is one straight line along the rows or a dash, not a digit.

    Its thickness across the rows is measured along each tilt t in +-LINE_TILT, as the span of
    its pixels' sheared rows (sheared_rows). It is a line when the thinnest is under DIGIT_STROKES
    times its stroke width, and its length along the rows is at least DIGIT_STROKES times that
    thickness (a blot is as thick as it is long, and its stroke width is its size). A 1 runs
    down the rows and is never thin this way.
    """
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return False
    tilts = np.linspace(-LINE_TILT, LINE_TILT, TILT_STEPS)
    sheared = sheared_rows(ys, xs, mask.shape[1], tilts)  # (TILT_STEPS, P)
    thinnest = int((sheared.max(axis=1) - sheared.min(axis=1)).min()) + 1
    length = int(xs.max() - xs.min()) + 1
    return thinnest < DIGIT_STROKES * stroke_width(mask) and length >= DIGIT_STROKES * thinnest
