"""The printed lines of ruled and squared paper, found and removed without cutting the strokes that cross them."""

import numpy as np

from digitnet.image.morphology import run_bounds

# Printed lines of ruled or squared paper: rows (or columns) covered over 50% of the image's
# width, at most 4% of its height thick, tilted up to about 3 degrees.
LINE_COVERAGE = 0.5
LINE_THICKNESS = 0.04
LINE_TILT = 0.05
# A printed line runs out of the picture (to within LINE_EDGE pixels of its edge), ends free, or
# ends where another line crosses it. A digit's own straight stroke, which can be as long (a 7's
# stem in a crop the digit fills, its bar), ends where another of its strokes turns off it.
LINE_EDGE = 2
# Ruled and squared paper rule their lines every few millimetres: a band with no other printed
# line beside it, in the same direction, is one long stroke (a 1, a 4's stem), not the paper's.
LINE_SET = 2


def printed_lines(mask: np.ndarray) -> np.ndarray:
    """Pixels (H, W) bool of the mask that belong to horizontal printed lines, strokes that cross them excepted.

    A ruled or squared paper's line runs across the whole image, thin and straight, maybe
    tilted by a few degrees. For each tilt t in +-LINE_TILT the ink is summed along lines
    y - t (x - W/2) = const (a shear, then a row sum: a Radon transform at a few angles);
    the tilt with the highest peak wins, and rows of it covered over LINE_COVERAGE of the
    width, in bands at most LINE_THICKNESS of the height thick, are lines when no stroke turns
    off either of their ends (turns_at_ends) and at least LINE_SET of them are. A line pixel is
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
    printed = ~turns_at_ends(image, band_start, band_end, columns, width)
    if len(np.unique(band_start[printed])) < LINE_SET:
        return np.zeros_like(mask)
    keep = printed & ~near
    lines = np.zeros_like(mask)
    lines[ys[on[keep]], xs[on[keep]]] = True
    return lines


def turns_at_ends(image: np.ndarray, band_start: np.ndarray, band_end: np.ndarray, columns: np.ndarray, width: int) -> np.ndarray:
    """Whether a stroke turns off a band at one of its ends, for each pixel on a band: (L,) bool.

    image (R, W) bool: the sheared mask; band_start, band_end (L,): the first and last row of
    the band each pixel lies on, in image's rows; columns (L,): its column. A stroke turns off
    an end when, in the columns within a band's thickness t of the end, ink leaves the band on
    one side, 2t beyond it, and none lies just beyond it (2 px) on the other side (a 7's stem
    leaving its bar). Ink on both sides is a line crossing it (squared paper), and an end within
    LINE_EDGE pixels of the image's edge is the paper's line running on out of the picture.
    """
    thickness = band_end - band_start + 1  # (L,)
    last_row = len(image) - 1

    def beyond(distance: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        """Ink (above, below) the band, ``distance`` rows beyond its edges, in each pixel's column."""
        return image[np.maximum(band_start - distance, 0), columns], image[np.minimum(band_end + distance, last_row), columns]

    sides = (*beyond(2 * thickness), *beyond(2))  # (above far, below far, above near, below near), each (L,)
    bands, band = np.unique(band_start, return_inverse=True)
    first, last = np.full(len(bands), width), np.full(len(bands), -1)
    np.minimum.at(first, band, columns)
    np.maximum.at(last, band, columns)
    turns = np.zeros(len(bands), dtype=bool)
    for at_end, inside in (
        (columns < first[band] + thickness, first > LINE_EDGE),
        (columns > last[band] - thickness, last < width - 1 - LINE_EDGE),
    ):
        seen = np.zeros((4, len(bands)), dtype=bool)  # per band, ink on each side anywhere in the end's columns
        for k, side in enumerate(sides):
            np.logical_or.at(seen[k], band[at_end], side[at_end])
        above_far, below_far, above_near, below_near = seen
        turns |= inside & ((above_far & ~below_near) | (below_far & ~above_near))
    return turns[band]


def remove_lines(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Remove ruled and squared paper's lines, horizontal and vertical, from (ink, mask); also
    return how many line pixels went. See ``printed_lines``."""
    lines = printed_lines(mask) | printed_lines(mask.T).T
    kept = mask & ~lines
    return np.where(kept, ink, 0).astype(np.float32), kept, int(lines.sum())
