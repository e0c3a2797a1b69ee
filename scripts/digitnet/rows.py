"""The reading order of a sheet's digits: rows that may slope or fan out, top to bottom, left to right.

Boxes are (K, 4) int, (left, top, right, bottom) in pixels; ``typical`` is the sheet's typical
digit height in the same pixels.
"""

import numpy as np

MAX_TILT = 10.0  # degrees: rows are looked for up to this far off level (a phone held askew) ...
TILT_STEP = 0.25  # ... in steps of this many degrees


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
