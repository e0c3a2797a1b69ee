"""Array building blocks for images: sliding maximum, box blur, runs, connected components, stroke width.

Plain NumPy on whole arrays (maxima of shifted views, cumulative sums, pointer jumping):
no Python loop over pixels.
"""

import numpy as np


def sliding_max(image: np.ndarray, size: int, outside: float | None = None) -> np.ndarray:
    """Maximum over a size x size window around each pixel (a grey dilation), separable: rows, then columns.

    Beyond the border the image repeats its edge, or takes the value ``outside`` when given.
    """
    half = size // 2
    padded = np.pad(image, half, mode="edge") if outside is None else np.pad(image, half, constant_values=outside)
    return window_max(window_max(padded, size, axis=0), size, axis=1)


def window_max(values: np.ndarray, size: int, axis: int) -> np.ndarray:
    """out[i] = max(values[i : i + size]) along ``axis``: length L - size + 1 there, the same dtype.

    By doubling: m_1 = values and m_2k[i] = max(m_k[i], m_k[i + k]), the maximum of the 2k
    values from i. With k the largest power of two not above ``size``, a window is two windows
    of k that overlap: out[i] = max(m_k[i], m_k[i + size - k]). That is floor(log2(size)) + 1 passes,
    each one elementwise maximum of two shifted views of the whole array: NumPy runs it along
    whole rows, where a running maximum within each window would loop over short pieces.
    """
    moved = np.moveaxis(values, axis, 0)  # a view: the axis to slide along comes first
    length = moved.shape[0]
    span, k = moved, 1  # span = m_k : (L - k + 1, ...)
    while 2 * k <= size:
        span = np.maximum(span[:-k], span[k:])
        k *= 2
    return np.moveaxis(np.maximum(span[: length - size + 1], span[size - k : length - k + 1]), 0, axis)


def box_blur(image: np.ndarray, size: int) -> np.ndarray:
    """Mean over a size x size window (edges repeated), from cumulative sums: O(1) per pixel."""
    half = size // 2
    padded = np.pad(image, half, mode="edge").astype(np.float64)
    for axis in (0, 1):
        cumulative = np.cumsum(np.insert(padded, 0, 0.0, axis=axis), axis=axis)
        upper = np.take(cumulative, range(size, cumulative.shape[axis]), axis=axis)
        lower = np.take(cumulative, range(0, cumulative.shape[axis] - size), axis=axis)
        padded = (upper - lower) / size
    return padded.astype(np.float32)


def run_bounds(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a 1-D bool array (n,), the first and last index of the run of Trues each index lies in:
    (start (n,), end (n,)), meaningful where flags is True. Running maximum and minimum, no loop."""
    index = np.arange(len(flags))
    start = np.maximum.accumulate(np.where(flags & ~np.r_[False, flags[:-1]], index, 0))
    end = np.minimum.accumulate(np.where(flags & ~np.r_[flags[1:], False], index, len(flags))[::-1])[::-1]
    return start, end


def label_components(mask: np.ndarray, neighbourhood: int = 8) -> np.ndarray:
    """Connected components (8-neighbourhood, or 4) of a bool mask: labels (H, W), 0 for background.

    Ink is joined by its 8 neighbours, so that a thin diagonal stroke stays one piece. The paper
    around 8-connected ink must then be joined by 4 only: a loop drawn one pixel wide steps
    diagonally, and paper joined across those corners would leak out of every loop.

    Only the n set pixels take part, numbered k = 0..n-1 in raster order: ink is a tenth of a
    photo, so arrays of length n cost a tenth of whole-image ones. nbr[d][k] numbers pixel k's
    neighbour in direction d, or n where that neighbour is not set (a sentinel whose label, n,
    is larger than any pixel's). Each pixel points to a parent, at first the first pixel of its
    horizontal run (a run is one piece already). Every round, each pixel's parent learns the
    smallest label among the pixel's neighbours (a hook), then every pointer follows its
    parent's pointer until it reaches a root (pointer jumping). A label always names a pixel
    of the same component, so when no pixel sees a smaller label beside it, every component
    carries one label: its first pixel. The rounds grow with the logarithm of a component's
    length, not the length itself (Shiloach and Vishkin's idea); each round is plain array
    operations, with no Python loop over pixels.
    Labels are the flat index of the component's first pixel, plus one.
    """
    height, width = mask.shape
    inside = np.flatnonzero(mask)  # (n,) flat index of each set pixel
    n = len(inside)
    # number[p] for p in the mask framed by one unset pixel: k for set pixel k, n elsewhere.
    framed_width = width + 2
    rows, cols = np.divmod(inside, width)
    framed = (rows + 1) * framed_width + cols + 1  # (n,)
    number = np.full((height + 2) * framed_width, n, dtype=np.int32)
    number[framed] = np.arange(n, dtype=np.int32)
    steps = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0) and (neighbourhood == 8 or dy == 0 or dx == 0)]
    nbr = [number[framed + dy * framed_width + dx] for dy, dx in steps]  # each (n,)
    parent = np.arange(n + 1, dtype=np.int32)  # parent[n] = n: the sentinel
    run_starts = np.ones(n, dtype=bool)
    run_starts[1:] = (np.diff(inside) != 1) | (cols[1:] == 0)
    parent[:n] = np.maximum.accumulate(np.where(run_starts, parent[:n], 0))
    smallest = np.empty(n, dtype=np.int32)
    while True:
        own = parent[:n].copy()  # every pointer is a root here: each pixel's label
        smallest[:] = own
        for neighbour in nbr:
            np.minimum(smallest, parent[neighbour], out=smallest)
        if not (smallest < own).any():
            break
        # Hook: a root takes the smallest label seen by any of its pixels; then jump to roots.
        np.minimum.at(parent, own, smallest)
        np.minimum(parent[:n], smallest, out=parent[:n])
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    labels = np.zeros(height * width, dtype=np.int64)
    labels[inside] = inside[parent[:n]] + 1
    return labels.reshape(height, width)


def interior(mask: np.ndarray) -> np.ndarray:
    """The pixels of a mask (H, W) bool whose four neighbours are all in it: (H, W) bool."""
    padded = np.pad(mask, 1)
    return padded[1:-1, 1:-1] & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width in pixels, w = 2 * area / boundary.

    A stroke of length L and width w has area w L and about 2 L boundary pixels (one per
    edge side), so the ratio recovers w without tracing the strokes.
    """
    area = int(mask.sum())
    return 2 * area / max(area - int(interior(mask).sum()), 1)


def stroke_widths(labels: np.ndarray) -> np.ndarray:
    """stroke_width of every labelled piece at once: labels (H, W) int, 0 for the background ->
    (labels.max() + 1,) float, entry 0 meaningless. Pieces never touch (they would be one), so
    a pixel's neighbours in the whole mask are in its own piece."""
    mask = labels > 0
    count = labels.max() + 1
    area = np.bincount(labels[mask], minlength=count)
    boundary = np.bincount(labels[mask & ~interior(mask)], minlength=count)
    return 2 * area / np.maximum(boundary, 1)


def component_boxes(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Relabel components 1..K and measure them.

    labels : (H, W) int, 0 background. Returns (compact labels (H, W), boxes (K, 4) as
    left, top, right, bottom with right and bottom exclusive, areas (K,)), computed with
    one scatter per side over the ink pixels (no loop over pixels or components).
    """
    ys, xs = np.nonzero(labels)
    ids, compact = np.unique(labels[ys, xs], return_inverse=True)
    count = len(ids)
    relabelled = np.zeros_like(labels)
    relabelled[ys, xs] = compact + 1
    boxes = np.empty((count, 4), dtype=np.int64)
    boxes[:, :2] = np.iinfo(np.int64).max
    boxes[:, 2:] = -1
    np.minimum.at(boxes[:, 0], compact, xs)
    np.minimum.at(boxes[:, 1], compact, ys)
    np.maximum.at(boxes[:, 2], compact, xs + 1)
    np.maximum.at(boxes[:, 3], compact, ys + 1)
    return relabelled, boxes, np.bincount(compact, minlength=count)


def box_count(mask: np.ndarray, size: int, outside: bool = False) -> np.ndarray:
    """How many pixels of each size x size window of a mask (H, W) bool are set: (H, W) int32.

    Beyond the border every pixel counts as ``outside``. Cumulative sums along each axis, as
    box_blur: on a mask this is several times faster than a sliding maximum.
    """
    half = size // 2
    padded = np.pad(mask, half, constant_values=outside).astype(np.int32)
    for axis in (0, 1):
        cumulative = np.cumsum(padded, axis=axis, dtype=np.int32)
        cumulative = np.concatenate([np.zeros_like(np.take(cumulative, [0], axis=axis)), cumulative], axis=axis)
        length = cumulative.shape[axis]
        padded = np.take(cumulative, range(size, length), axis=axis) - np.take(cumulative, range(0, length - size), axis=axis)
    return padded


def dilate(mask: np.ndarray, size: int) -> np.ndarray:
    """A mask (H, W) bool grown by a size x size square (nothing beyond the border)."""
    return box_count(mask, size, outside=False) > 0


def erode(mask: np.ndarray, size: int, outside: bool = True) -> np.ndarray:
    """A mask (H, W) bool shrunk by a size x size square. What lies beyond the border counts as
    ``outside``: set (the default), a region that reaches the border keeps reaching it."""
    return box_count(mask, size, outside=outside) == size * size
