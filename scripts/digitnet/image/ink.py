"""Ink apart from paper: polarity, uneven lighting, Otsu's threshold, faint ghosts, specks, clutter at the edge.

Images are float32 (H, W) in [0, 1]: gray levels (0 black, 1 white) until ``to_ink``, ink
(0 paper, 1 full ink) from there on; masks are (H, W) bool, True on ink.
"""

import numpy as np

from digitnet.image.load import ImageError
from digitnet.image.morphology import box_blur, label_components, sliding_max

STRONG_SHARE = 0.1  # a piece of ink with fewer pixels at half the solid ink's level is a faint ghost


def paper_is_bright(gray: np.ndarray) -> bool:
    """Whether the paper is lighter than the ink, judged from the border, which is mostly paper.

    The paper is bright when the border's median lies nearer the image's brightest values
    than its darkest (1st and 99th percentiles): this holds for dim photos of white paper too.
    """
    border = max(1, min(gray.shape) // 20)
    frame = np.concatenate([gray[:border].ravel(), gray[-border:].ravel(), gray[:, :border].ravel(), gray[:, -border:].ravel()])
    paper = float(np.median(frame))
    darkest, brightest = np.percentile(gray, [1, 99])
    return brightest - paper < paper - darkest


def flatten_lighting(gray: np.ndarray, bright_paper: bool) -> np.ndarray:
    """Even out shadows and uneven lighting: divide by an estimate of the paper's brightness.

    With the paper made bright (dark paper is inverted first), the estimate is a grey
    closing, the maximum over a window wider than any stroke followed by the minimum over
    the same window: strokes vanish into the paper around them, while a shadow or a thumb
    broader than the window keeps its own edge, so it divides out instead of leaving a
    dark crescent. A small box blur smooths the estimate's steps. The result has paper
    near 1 everywhere and ink darker.
    """
    paper_up = gray if bright_paper else 1 - gray
    window = max(3, (max(gray.shape) // 8) | 1)
    closed = 1 - sliding_max(1 - sliding_max(paper_up, window), window)
    background = box_blur(closed, max(3, (window // 4) | 1))
    return np.clip(paper_up / np.maximum(background, 1e-3), 0, 1)


def to_ink(flat: np.ndarray) -> np.ndarray:
    """Invert bright paper to MNIST's polarity: ink = 1 - brightness (paper 0, ink up to 1)."""
    return 1 - flat


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Otsu (1979): the threshold t that maximizes the between-class variance w0 w1 (mu0 - mu1)^2.

    Computed for every candidate t at once from cumulative sums of the histogram.
    """
    counts, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    centers = (edges[:-1] + edges[1:]) / 2
    weight0 = np.cumsum(counts)
    weight1 = weight0[-1] - weight0
    sum0 = np.cumsum(counts * centers)
    mean0 = sum0 / np.maximum(weight0, 1)
    mean1 = (sum0[-1] - sum0) / np.maximum(weight1, 1)
    between = weight0 * weight1 * (mean0 - mean1) ** 2
    return float(edges[np.argmax(between) + 1])


def separate_ink(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Split ink from paper with Otsu's threshold as a mask, keeping the ink's gray levels.

    Returns (ink with paper set to 0, rescaled so solid ink, the 90th percentile of the
    mask's, is 1; mask (H, W) bool; threshold).
    Raises ImageError when there is no ink to speak of (a blank page).
    """
    contrast = float(np.percentile(ink, 99.5) - np.median(ink))
    if contrast < 0.15:
        raise ImageError(f"no ink found: the page looks blank (contrast {contrast:.2f})")
    threshold = otsu_threshold(ink)
    mask = ink > threshold
    solid = float(np.percentile(ink[mask], 90))
    kept = np.where(mask, np.clip(ink / max(solid, 1e-3), 0, 1), 0).astype(np.float32)
    return kept, mask, threshold


def drop_faint(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hysteresis, as in Canny's edge detector: a connected piece of the mask stays only when at
    least STRONG_SHARE of its pixels reach half the solid ink's level (ink from ``separate_ink``,
    solid = 1).

    Ink showing through from the back of the sheet, a faint smudge or the ghost of an
    erased digit is light throughout and goes; the pen's strokes, with the lighter edges
    joined to them, stay.
    """
    labels = label_components(mask)
    strong = np.bincount(labels[ink >= 0.5], minlength=labels.max() + 1)
    sizes = np.bincount(labels.ravel(), minlength=labels.max() + 1)
    keep = strong >= STRONG_SHARE * sizes
    keep[0] = False
    kept = keep[labels]
    return np.where(kept, ink, 0).astype(np.float32), kept


def drop_specks(ink: np.ndarray, mask: np.ndarray, min_share: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Remove isolated specks: components smaller than ``min_share`` of the largest one.

    Keeps a digit's separate strokes (the bar of a 5, the two strokes of a 4) and drops
    dust, grain and dots of noise.
    """
    labels = label_components(mask)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    keep = sizes >= min_share * sizes.max()
    keep[0] = False
    kept_mask = keep[labels]
    return np.where(kept_mask, ink, 0).astype(np.float32), kept_mask


def drop_edge_clutter(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a single digit: remove ink that touches the image border when a larger piece lies inside.

    The edge of a thumb, a shadow, the paper's edge or a neighbouring digit cut off by the
    frame leaves ink along the border; the digit the photo is about lies inside it. So
    border components smaller than the largest inner component go. A digit that touches
    the border itself is the largest piece there is, or the only one, and stays.
    """
    labels = label_components(mask)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    on_edge = np.zeros(len(sizes), dtype=bool)
    on_edge[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = True
    on_edge[0] = False
    inner_largest = sizes[~on_edge].max(initial=0)
    drop = on_edge & (sizes < inner_largest)
    kept = mask & ~drop[labels]
    return np.where(kept, ink, 0).astype(np.float32), kept
