"""Ink apart from paper: polarity, uneven lighting, Otsu's threshold, faint ghosts, specks, clutter at the edge.

Images are float32 (H, W) in [0, 1]: gray levels (0 black, 1 white) until ``to_ink``, ink
(0 paper, 1 full ink) from there on; masks are (H, W) bool, True on ink.
"""

import numpy as np

from digitnet.image.load import ImageError
from digitnet.image.morphology import (
    box_blur,
    component_boxes,
    dilate,
    erode,
    label_components,
    sliding_max,
    stroke_width,
    stroke_widths,
)

STRONG_SHARE = 0.1  # a piece of ink with fewer pixels at half the solid ink's level is a faint ghost
# A single digit's pieces lie within this share of its largest piece's longest side of each
# other (a 5's detached bar, a 4 in two strokes); ink farther away is something else.
NEAR_DIGIT = 1 / 3
# stroke_width of two lines equally wide differs by up to this factor (their ends count as edge):
# faint ink touching the digit is no broader than its strokes within it.
PEN_WIDTH_ERROR = 1.25
# A faint pixel of a strong piece is the stroke's soft edge within this many stroke widths of
# the strong ink; farther away, it is a ghost that touches the digit (show-through).
EDGE_REACH = 0.5
# The lighting's window spans at least this many stroke widths, so that a stroke never fills it.
STROKE_WINDOWS = 3
# A page is blank when its darkest ink stands out from the paper by less than BLANK_NOISE times
# the paper's own noise, or by less than BLANK_CONTRAST. Relative to the noise, so that light
# pencil on a clean photo (12 to 40 noise deviations on the photo-like benchmark) is ink, while
# a blank page's grain and JPEG noise (3 to 5) is not.
BLANK_NOISE = 7.0
BLANK_CONTRAST = 0.04
# Ink that fills a square BROAD_STROKES stroke widths wide is broad, and broad ink lighter than
# SHADE_LEVEL of the solid ink is shade (what is left of a thumb or a shadow), not a pen's.
BROAD_STROKES = 2.0
SHADE_LEVEL = 0.8
# A piece apart from the digit's largest that fills at least BLOB_FILL of its box, and whose box
# is at least BLOB_STROKES of the digit's stroke widths across both ways, is a blob, not a pen's.
BLOB_FILL = 0.7
BLOB_STROKES = 2.0


def paper_is_bright(gray: np.ndarray) -> bool:
    """Whether the paper is lighter than the ink, judged from the border, which is mostly paper.

    The paper is bright when the border's median lies nearer the image's brightest values
    than its darkest (0.1th and 99.9th percentiles): this holds for dim photos of white paper too.
    """
    border = max(1, min(gray.shape) // 20)
    frame = np.concatenate([gray[:border].ravel(), gray[-border:].ravel(), gray[:, :border].ravel(), gray[:, -border:].ravel()])
    paper = float(np.median(frame))
    # A thin pen's digit on a large sheet covers well under 1% of it: the 1st percentile would be paper.
    darkest, brightest = np.percentile(gray, [0.1, 99.9])
    return brightest - paper < paper - darkest


def paper_closing(paper_up: np.ndarray, window: int) -> np.ndarray:
    """A grey closing (H, W) of bright-paper gray levels (H, W): the maximum over a window x
    window square, then the minimum over the same square, which fills in every dark feature
    narrower than the window."""
    # Padded once by a whole window, repeating the edge: the minimum pass must see the
    # maximum pass's true values beyond the border, not the edge of them repeated, or paper
    # that darkens towards the border (a vignette, a shadow at the edge) is overestimated there.
    padded = np.pad(paper_up, window, mode="edge")
    return 1 - sliding_max(1 - sliding_max(padded, window), window)[window:-window, window:-window]


def paper_estimate(paper_up: np.ndarray, window: int) -> np.ndarray:
    """The paper's brightness (H, W) under bright-paper gray levels (H, W): their closing
    (paper_closing) smoothed by a box blur a quarter of the window wide, and never brighter
    than the closing."""
    closed = paper_closing(paper_up, window)
    # Never brighter than the closing: blurred across a shadow's edge (a thumb, a fold), the
    # estimate would take light from the bright side, and the shadow's rim, divided by too
    # bright a paper, would come out as a broad grey piece of ink beside the digit. Too dark an
    # estimate only makes paper brighter than 1, which is clipped.
    return np.minimum(box_blur(closed, max(3, (window // 4) | 1)), closed)


def flatten_lighting(gray: np.ndarray, bright_paper: bool) -> np.ndarray:
    """Even out shadows and uneven lighting: divide by an estimate of the paper's brightness.

    With the paper made bright (dark paper is inverted first), the estimate is a grey
    closing (``paper_estimate``) over a window wider than any stroke: strokes vanish into
    the paper around them, while a shadow or a thumb broader than the window keeps its own
    edge, so it divides out instead of leaving a dark crescent. The window is an eighth of
    the image, widened up to a quarter of it to span STROKE_WINDOWS stroke widths when the
    strokes are thicker (a marker, a big digit in a small photo): a stroke as wide as the
    window would count as paper in shadow, and its middle would be divided away. The stroke
    width is measured on the ink (Otsu's threshold) of a first pass at half the size with
    the widest window, which no stroke fills, away from the border where a shadow's remains would count as a
    broad stroke (``inner_ink``). The result has paper near 1 everywhere and ink darker.
    """
    paper_up = gray if bright_paper else 1 - gray
    longest = max(gray.shape)
    narrow, broad = max(3, (longest // 8) | 1), max(3, (longest // 4) | 1)
    # The first pass only measures strokes: at half the size (2 x 2 means), a quarter of the pixels
    # and half the window, it costs an eighth of a full pass.
    shrink = 2 if min(gray.shape) >= 16 else 1
    height, width = (paper_up.shape[0] // shrink) * shrink, (paper_up.shape[1] // shrink) * shrink
    small = paper_up[:height, :width].reshape(height // shrink, shrink, width // shrink, shrink).mean(axis=(1, 3))
    first = 1 - np.clip(small / np.maximum(paper_estimate(small, max(3, (broad // shrink) | 1)), 1e-3), 0, 1)
    stroke = shrink * stroke_width(inner_ink(first > otsu_threshold(first)))
    window = int(np.clip(STROKE_WINDOWS * stroke, narrow, broad)) | 1
    return np.clip(paper_up / np.maximum(paper_estimate(paper_up, window), 1e-3), 0, 1)


def inner_ink(mask: np.ndarray) -> np.ndarray:
    """The pieces of mask (H, W) bool that do not touch the image border; all of it when every piece does."""
    labels = label_components(mask)
    on_edge = np.zeros(labels.max() + 1, dtype=bool)
    on_edge[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = True
    inner = mask & ~on_edge[labels]
    return inner if inner.any() else mask


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


def paper_noise(ink: np.ndarray) -> float:
    """The paper's grain as a normal deviation sigma, from ink levels (H, W) with paper near 0:
    sigma = (P25 - P5) / 0.97, the spread between those percentiles of a normal distribution.

    Ink, printed lines and a grid only darken the paper, so the page's lighter quarter is
    paper alone unless they cover three quarters of it. The median absolute deviation does
    not hold up so far: under a sheet of digits on dense squared paper, the median lies on the
    blurred grid, the deviation counts the grid as grain, and the page was refused as blank.
    """
    lightest, quarter = np.percentile(ink, [5, 25])
    return float(quarter - lightest) / 0.97


def separate_ink(ink: np.ndarray, weak_share: float | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """Split ink from paper with Otsu's threshold as a mask, keeping the ink's gray levels.

    Returns (ink with paper set to 0, rescaled so solid ink is 1; mask (H, W) bool; threshold).
    Solid ink is solid_level of the mask's pixels.
    Raises ImageError when there is no ink to speak of (a blank page): the contrast, the 99.99th
    percentile minus the median (the paper; a small digit on a large photo covers under 0.1%
    of it), is under BLANK_CONTRAST or under
    BLANK_NOISE times the paper's noise (paper_noise).
    With ``weak_share``, the mask also takes, as Canny's hysteresis does, every pixel above
    paper + weak_share (threshold - paper) connected to it: a thin pen's line that runs
    lighter than the threshold in places stays whole instead of breaking there.
    """
    paper = float(np.median(ink))
    noise = paper_noise(ink)
    contrast = float(np.percentile(ink, 99.99)) - paper
    if contrast < max(BLANK_CONTRAST, BLANK_NOISE * noise):
        raise ImageError(f"no ink found: the page looks blank (contrast {contrast:.2f}, paper noise {noise:.3f})")
    threshold = otsu_threshold(ink)
    mask = ink > threshold
    if weak_share is not None:
        # Hysteresis: the weak pixels connected to the mask join it.
        weak = label_components(ink > paper + weak_share * (threshold - paper))
        connected = np.bincount(weak[mask], minlength=weak.max() + 1) > 0
        connected[0] = False
        mask = connected[weak]
    kept = np.where(mask, np.clip(ink / solid_level(ink[mask]), 0, 1), 0).astype(np.float32)
    return kept, mask, threshold


def solid_level(masked: np.ndarray) -> float:
    """The level of solid ink among the ink values ``masked`` (n,): the 90th percentile of those at
    least half as dark as the darkest (99.5th percentile), so that a faint ghost larger than a thin
    digit (show-through) does not set the level that the digit's strokes are measured against."""
    darkest = float(np.percentile(masked, 99.5))
    return max(float(np.percentile(masked[masked >= darkest / 2], 90)), 1e-3)


def level_inside(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A sheet's ink (H, W) from ``separate_ink`` rescaled so that solid ink is 1 on the pieces away
    from the image's border (away_from_border), where there are any. A page photographed a little
    turned shows its edge, or the desk, along the border, darker than any pen: measured against
    that, every digit's ink was faint and went. Done once the printed lines are gone, which cross
    the whole page and join the digits they cross."""
    inside = away_from_border(mask)
    if not inside.any():
        return ink
    return np.clip(ink / solid_level(ink[inside]), 0, 1).astype(np.float32)


def drop_faint(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hysteresis, as in Canny's edge detector, on ink from ``separate_ink`` (solid ink = 1):
    strong pixels reach half the solid ink's level. A connected piece of the mask stays only
    when at least STRONG_SHARE of its pixels are strong, or when it holds at least half as
    many strong pixels as the piece with most; of a piece that stays, the faint pixels stay
    only within EDGE_REACH strong stroke widths of a strong pixel. Faint ink touching what
    stays, and no broader than the strong strokes, stays too: a pen's line that ran light.

    Ink showing through from the back of the sheet, a faint smudge or the ghost of an
    erased digit is light throughout and goes; the pen's strokes, with the lighter edges
    around them, stay. Where the ghost crosses or touches the digit, it joins the digit's
    piece, and only its part next to the strokes stays.
    """
    strong = ink >= 0.5
    labels = label_components(mask)
    strong_count = np.bincount(labels[strong], minlength=labels.max() + 1)
    sizes = np.bincount(labels.ravel(), minlength=labels.max() + 1)
    # The piece that holds most of the strong ink is the digit's, however large a ghost joined to it.
    keep = (strong_count >= STRONG_SHARE * sizes) | (strong_count >= 0.5 * strong_count.max())
    keep[0] = False
    pen = stroke_width(strong)
    reach = max(1, round(EDGE_REACH * pen))
    near_strong = dilate(strong, 2 * reach + 1)
    kept = keep[labels] & near_strong
    # What is left that touches the kept ink and is no broader than the pen's strokes is the
    # pen's own line where it ran light; ink seen through the paper is blurred broader.
    rest = mask & ~kept
    parts = label_components(rest)
    touching = np.bincount(parts[rest & dilate(kept, 3)], minlength=parts.max() + 1)
    pen_line = (touching > 0) & (stroke_widths(parts) <= PEN_WIDTH_ERROR * pen)
    pen_line[0] = False
    kept |= pen_line[parts]
    return np.where(kept, ink, 0).astype(np.float32), kept


def drop_specks(ink: np.ndarray, mask: np.ndarray, min_share: float = 0.1, inner: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Remove isolated specks: components smaller than ``min_share`` of the largest one (with
    ``inner``, the largest away from the image's border, where there is one: not the page's edge).

    Keeps a digit's separate strokes (the bar of a 5, the two strokes of a 4) and drops
    dust, grain and dots of noise.
    """
    labels = label_components(mask)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    inside = sizes[~border_pieces(labels)] if inner else sizes
    keep = sizes >= min_share * (inside.max() if inside.any() else sizes.max())
    keep[0] = False
    kept_mask = keep[labels]
    return np.where(kept_mask, ink, 0).astype(np.float32), kept_mask


def drop_shade(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove broad grey ink: what the lighting leaves of a thumb or a shadow. Ink (H, W) from
    ``separate_ink`` (solid ink = 1), mask (H, W) bool -> both with the shade removed.

    With w the stroke width of the whole mask, a square of side
    k = 2 round(BROAD_STROKES w / 2) + 1 fits inside no pen stroke: the mask eroded by it
    (a minimum over k x k) keeps only broad ink. Of that, the pixels lighter than SHADE_LEVEL
    are shade, seeds which grow back by the same square (a dilation) within the mask; that
    is dropped, and so is each piece that was mostly shade (but the one with most solid ink)
    and each piece left beside the shade without a solid pixel (its rim). Solid ink is
    ink at least SHADE_LEVEL. A pen's strokes are narrow, and where a thick pen fills a loop
    the ink is solid, so both stay; a shadow's remains are broad and grey, even where they
    touch the digit.
    """
    solid = ink >= SHADE_LEVEL
    side = 2 * round(BROAD_STROKES * stroke_width(mask) / 2) + 1
    broad = erode(mask, side, outside=False)
    seeds = broad & ~solid
    if not seeds.any():
        return ink, mask
    shade = mask & dilate(seeds, side)
    # A piece that was mostly shade goes whole, but for the piece with most of the solid ink
    # (the digit's, which a shade may touch): the rim the square cannot reach is shade too.
    pieces = label_components(mask)
    mostly = np.bincount(pieces[shade], minlength=pieces.max() + 1) > 0.5 * np.bincount(pieces.ravel())
    solid_count = np.bincount(pieces[solid], minlength=pieces.max() + 1)
    mostly[0] = False
    mostly[np.argmax(solid_count)] = False
    # And what is left beside the shade with no solid pixel is its rim too.
    rest = mask & ~shade & ~mostly[pieces]
    labels = label_components(rest)
    beside = (
        np.bincount(labels[rest & dilate(shade, 3)], minlength=labels.max() + 1) > 0
    )
    has_solid = np.bincount(labels[rest & solid], minlength=labels.max() + 1) > 0
    rim = beside & ~has_solid
    rim[0] = False
    kept = rest & ~rim[labels]
    if not kept.any():
        return ink, mask
    return np.where(kept, ink, 0).astype(np.float32), kept


def drop_blobs(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a single digit: drop solid blobs apart from the digit's largest piece. Ink (H, W),
    mask (H, W) bool -> both without the blobs.

    A pen draws lines: a piece of it fills its box (area / box area) densely only when the
    box is about one stroke wide one way (a bar, a dot). A piece that fills at least BLOB_FILL
    of a box at least BLOB_STROKES stroke widths w of the largest piece across both ways is
    a blob: the darkest core of a thumb or a shadow, which the lighting's closing could not
    fill, solid or not. The largest piece always stays.
    """
    labels, boxes, areas = component_boxes(label_components(mask))
    if len(areas) < 2:
        return ink, mask
    largest = int(np.argmax(areas))
    width = stroke_width(labels == largest + 1)
    sides = boxes[:, 2:] - boxes[:, :2]
    blob = (areas >= BLOB_FILL * sides.prod(axis=1)) & (sides.min(axis=1) >= BLOB_STROKES * width)
    blob[largest] = False
    if not blob.any():
        return ink, mask
    kept = mask & ~np.concatenate([[False], blob])[labels]
    return np.where(kept, ink, 0).astype(np.float32), kept


def border_pieces(labels: np.ndarray) -> np.ndarray:
    """(K + 1,) bool: which of the pieces labelled 1..K in ``labels`` (H, W) touch the image's
    border (label 0, the paper, counts as not)."""
    on_edge = np.zeros(labels.max() + 1, dtype=bool)
    on_edge[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = True
    on_edge[0] = False
    return on_edge


def away_from_border(mask: np.ndarray) -> np.ndarray:
    """The pieces of ``mask`` (H, W) bool that do not touch the image's border, as a mask."""
    labels = label_components(mask)
    inside = ~border_pieces(labels)
    inside[0] = False
    return inside[labels]


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
    on_edge = border_pieces(labels)
    inner_largest = sizes[~on_edge].max(initial=0)
    drop = on_edge & (sizes < inner_largest)
    kept = mask & ~drop[labels]
    return np.where(kept, ink, 0).astype(np.float32), kept


def keep_near_digit(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a single digit: keep the largest piece of ink and the pieces near it, drop the rest.

    Starting from the largest connected piece, a piece joins when the gap between its box
    and the box of the pieces kept so far (the larger of the horizontal and vertical gaps,
    0 when they overlap) is at most NEAR_DIGIT of that box's longest side; this repeats
    until no piece joins. The box grows as pieces join: a thin pen's digit may break into
    several pieces of which the largest is only a part. A digit's strokes lie close together, while what is left
    of a thumb or a shadow after the lighting is flattened, a neighbouring digit half in
    the frame, or a mark elsewhere on the page lies apart, border or not.
    """
    labels, boxes, areas = component_boxes(label_components(mask))
    if len(areas) < 2:
        return ink, mask
    largest = int(np.argmax(areas))
    kept = np.zeros(len(areas), dtype=bool)
    kept[largest] = True
    while True:
        left, top = boxes[kept, :2].min(axis=0)
        right, bottom = boxes[kept, 2:].max(axis=0)
        reach = NEAR_DIGIT * max(right - left, bottom - top)
        gap_x = np.maximum(boxes[:, 0] - right, left - boxes[:, 2])
        gap_y = np.maximum(boxes[:, 1] - bottom, top - boxes[:, 3])
        grown = kept | (np.maximum(gap_x, gap_y) <= reach)
        if np.array_equal(grown, kept):
            break
        kept = grown
    kept_mask = np.concatenate([[False], kept])[labels]
    return np.where(kept_mask, ink, 0).astype(np.float32), kept_mask
