"""The printed lines of ruled and squared paper, found and removed without cutting the strokes that cross them."""

import numpy as np

from digitnet.image.morphology import run_bounds

# Printed lines of ruled or squared paper: rows (or columns) covered over 50% of the image's
# width, at most 4% of its height thick, tilted up to about 3 degrees.
LINE_COVERAGE = 0.5
LINE_THICKNESS = 0.04
LINE_TILT = 0.05


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
