"""A page lying on a darker desk: find it, straighten its perspective, and keep only what is on it.

A phone photo of a worksheet or a sticky note often shows the desk around the paper. The
desk's dark texture would be taken for ink, and its darkness for the paper's (so the paper's
polarity is judged wrong). The page is the largest bright region, and it is a quadrilateral
(a rectangle seen in perspective): its four corners map it back to a rectangle.

Gray levels are float32 (H, W) in [0, 1]; points are (x, y) in pixels of the image given.
"""

from pathlib import Path

import numpy as np
from PIL import Image

from digitnet.image.ink import otsu_threshold
from digitnet.image.load import apply_exif_orientation, flatten_transparency, open_image, resize_longest, to_grayscale
from digitnet.image.morphology import box_blur, dilate, erode, interior, label_components

PAGE_SIZE = 256  # longest side, in pixels, at which the page is looked for: its outline needs no more
# The bright region is a page on a desk when it covers between these shares of the photo (more:
# the paper fills the photo, and what is darker at its edge is a shadow or a thumb) ...
PAGE_SHARE = (0.05, 0.95)
# ... when it fills at least PAGE_FILL of the quadrilateral through its corners (a page is one;
# a bright patch of wall or a lamp's reflection is not) ...
PAGE_FILL = 0.9
# ... when it runs along at most MAX_BORDER of the photo's border, all four sides together. Paper
# that fills the photo but for a shadow or a thumb runs along most of it; a page seen in part, cut
# off by the frame, along one or two sides; a whole page, turned a little and filling most of the
# photo, touches the sides only near its corners, with the desk in wedges between them.
MAX_BORDER = 0.6
# ... and when the paper is brighter than what lies around it by at least PAGE_CONTRAST.
PAGE_CONTRAST = 0.15
# The page's edge (its shadow, the desk seen past a corner that is not quite sharp) is left out:
# its outline is drawn in by this share of the page's size on every side.
PAGE_INSET = 0.0
EDGE_SLACK = 1.5  # pixels at PAGE_SIZE: outline points further inside their side's line are bites, not edge
DIRECTIONS = 24  # corners are sought as the extreme points along this many directions
# Paper is smooth: within TEXTURE_WINDOW pixels at PAGE_SIZE its grey levels vary by under
# PAGE_TEXTURE (a standard deviation), while a lamp's glare on a leather or wood desk is as bright
# as paper but speckled. What is left of the glare after that, and the thin bridges by which it
# touches the page, an opening over OPENING pixels removes.
TEXTURE_WINDOW = 5
PAGE_TEXTURE = 0.05
OPENING = 5
# Writing that runs to the page's edge bites into its outline; a closing over CLOSING pixels (a
# row of digits at PAGE_SIZE is under 10 px tall) fills the bites back in.
CLOSING = 15


def fill_holes(region: np.ndarray) -> np.ndarray:
    """A region (H, W) bool with every hole filled: the pieces outside it that do not reach the
    border lie inside it (the ink written on a page)."""
    outside = label_components(~region)
    on_border = np.zeros(outside.max() + 1, dtype=bool)
    on_border[np.concatenate([outside[0], outside[-1], outside[:, 0], outside[:, -1]])] = True
    return region | ~on_border[outside]


def quadrilateral_area(corners: np.ndarray) -> float:
    """Area of a quadrilateral (4, 2), corners in order around it (the shoelace formula)."""
    x, y = corners[:, 0], corners[:, 1]
    return 0.5 * abs(float(x @ np.roll(y, -1) - y @ np.roll(x, -1)))


def corners_of(region: np.ndarray) -> np.ndarray:
    """The four corners (4, 2) of a roughly quadrilateral region (H, W) bool, ordered top-left,
    top-right, bottom-right, bottom-left.

    Its corners are its extreme points along four directions 90 degrees apart: those of the
    diagonals for an upright page. The page may be turned, so DIRECTIONS / 4 such sets of
    directions are tried, turned by 360 / DIRECTIONS degrees each, and the set whose corners
    span the largest quadrilateral wins.
    """
    ys, xs = np.nonzero(region & ~interior(region))
    points = np.stack([xs, ys], axis=1).astype(np.float64)  # (n, 2) the outline
    angles = np.pi / 4 + 2 * np.pi * np.arange(DIRECTIONS) / DIRECTIONS
    directions = np.stack([np.cos(angles), np.sin(angles)])  # (2, DIRECTIONS)
    extreme = points[np.argmax(points @ directions, axis=0)]  # (DIRECTIONS, 2)
    sets = extreme.reshape(4, DIRECTIONS // 4, 2).transpose(1, 0, 2)  # (DIRECTIONS / 4, 4, 2): 90 degrees apart
    best = sets[int(np.argmax([quadrilateral_area(corners) for corners in sets]))]
    centre = best.mean(axis=0)
    order = np.argsort(np.arctan2(best[:, 1] - centre[1], best[:, 0] - centre[0]))  # clockwise on screen
    ordered = best[order]
    first = int(np.argmin(ordered.sum(axis=1)))  # the top-left corner has the smallest x + y
    return refine_corners(points, np.roll(ordered, -first, axis=0))


def refine_corners(points: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Corners (4, 2) moved to where the page's edges meet: each outline point (n, 2) is given to
    the nearest side of the quadrilateral ``corners``, a straight line is fitted through each
    side's points (total least squares: through their mean, along their main direction), then
    again through the points within EDGE_SLACK of its outer half, and neighbouring lines are
    intersected. Extreme points found along a few directions sit near
    the corners; the edges, fitted on hundreds of points, place them exactly."""
    starts, ends = corners, np.roll(corners, -1, axis=0)  # side k runs from corner k to corner k + 1
    along = ends - starts
    t = np.clip(((points[:, None, :] - starts[None]) * along[None]).sum(-1) / (along**2).sum(-1)[None], 0, 1)  # (n, 4)
    distance = np.linalg.norm(points[:, None, :] - (starts[None] + t[..., None] * along[None]), axis=-1)
    side = np.argmin(distance, axis=1)
    inward = corners.mean(axis=0)
    lines = []
    for k in range(4):
        own = points[side == k]
        for _ in range(2):
            if len(own) < 2:
                return corners
            centre = own.mean(axis=0)
            direction = np.linalg.svd(own - centre, full_matrices=False)[2][0]
            normal = np.array([-direction[1], direction[0]])
            normal = normal if normal @ (centre - inward) > 0 else -normal  # pointing out of the page
            # Writing that reaches the edge bites inward: only the outermost points are the edge.
            outward = (own - centre) @ normal
            own = own[outward >= np.median(outward) - EDGE_SLACK]
        lines.append((centre, direction))
    refined = []
    for k in range(4):
        (p1, d1), (p2, d2) = lines[k - 1], lines[k]  # corner k joins side k - 1 and side k
        matrix = np.stack([d1, -d2], axis=1)
        if abs(np.linalg.det(matrix)) < 1e-6:
            return corners
        a, _ = np.linalg.solve(matrix, p2 - p1)
        refined.append(p1 + a * d1)
    refined = np.array(refined)
    # A side fitted on too few points can swing wide: keep the first corners unless the refined
    # ones stay near them.
    if np.abs(refined - corners).max() > 0.1 * np.abs(corners[2] - corners[0]).max():
        return corners
    return refined


def find_page(gray: np.ndarray) -> np.ndarray | None:
    """The corners (4, 2) of a page lying on a darker background, in gray's pixels (top-left,
    top-right, bottom-right, bottom-left), or None when the paper fills the photo.

    At PAGE_SIZE, the page is the largest smooth region (PAGE_TEXTURE) brighter than Otsu's
    threshold, speckle removed (OPENING), bites closed (CLOSING) and holes filled; it counts only
    within PAGE_SHARE of the photo, along at most MAX_BORDER of its border, filling PAGE_FILL of its
    quadrilateral, and PAGE_CONTRAST brighter than the rest.
    """
    small = resize_longest(gray, PAGE_SIZE)
    mean = box_blur(small, TEXTURE_WINDOW)
    texture = np.sqrt(np.maximum(box_blur(small * small, TEXTURE_WINDOW) - mean * mean, 0))
    bright = (small > otsu_threshold(small)) & (texture < PAGE_TEXTURE)
    labels = label_components(dilate(erode(bright, OPENING), OPENING))
    if labels.max() == 0:
        return None
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    closed = erode(dilate(labels == np.argmax(sizes), CLOSING), CLOSING)
    # The texture window found the paper's own edge rough: grow it back by the half window it lost.
    page = fill_holes(dilate(closed, 2 * (TEXTURE_WINDOW // 2) + 1))
    share = float(page.mean())
    border = float(np.concatenate([page[0], page[-1], page[1:-1, 0], page[1:-1, -1]]).mean())
    if not PAGE_SHARE[0] <= share <= PAGE_SHARE[1] or border > MAX_BORDER:
        return None
    if float(np.median(small[page]) - np.median(small[~page])) < PAGE_CONTRAST:
        return None
    corners = corners_of(page)
    if page.sum() < PAGE_FILL * quadrilateral_area(corners):
        return None
    # Outline pixels are indices; the page's edge runs along their outer sides, half a pixel out.
    centre = corners.mean(axis=0)
    outward = corners + 0.5 * np.sign(corners - centre) + 0.5
    return outward * (max(gray.shape) / max(small.shape))


def perspective_coefficients(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 8 coefficients (a, b, c, d, e, f, g, h) of the projective map taking each target corner
    (4, 2) to its source corner (4, 2): x_s = (a x + b y + c) / (g x + h y + 1), y_s likewise
    with d, e, f. Pillow's PERSPECTIVE transform takes exactly these (output -> input)."""
    rows = []
    for (xs, ys), (xt, yt) in zip(source, target, strict=True):
        rows.append([xt, yt, 1, 0, 0, 0, -xs * xt, -xs * yt])
        rows.append([0, 0, 0, xt, yt, 1, -ys * xt, -ys * yt])
    return np.linalg.solve(np.array(rows, dtype=np.float64), source.reshape(8).astype(np.float64))


def straighten(image: Image.Image, corners: np.ndarray) -> Image.Image:
    """The page whose corners (4, 2) in ``image``'s pixels are given, as an upright rectangle.

    Its width is the longer of its top and bottom edges, its height the longer of its sides;
    the outline is first drawn in by PAGE_INSET of the page's size (its edge stays out).
    """
    centre = corners.mean(axis=0)
    inset = corners + PAGE_INSET * 2 * (centre - corners)
    width = int(round(max(np.linalg.norm(inset[1] - inset[0]), np.linalg.norm(inset[2] - inset[3]))))
    height = int(round(max(np.linalg.norm(inset[3] - inset[0]), np.linalg.norm(inset[2] - inset[1]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    coefficients = perspective_coefficients(inset, target)
    return image.transform((max(1, width), max(1, height)), Image.Transform.PERSPECTIVE, tuple(coefficients), Image.Resampling.BILINEAR)


def open_page(path: Path, max_megapixels: float, work_size: int) -> tuple[Image.Image, list[str]]:
    """Open an image file upright (EXIF orientation, transparency on white paper) and, when it
    shows a page on a darker background (find_page), only that page, straightened; also what
    was done, in words. JPEGs are decoded at a reduced scale no smaller than twice ``work_size``."""
    upright = flatten_transparency(apply_exif_orientation(open_image(path, max_megapixels, work_size)))
    corners = find_page(to_grayscale(upright))
    if corners is None:
        return upright, []
    if upright.mode not in ("L", "RGB", "I", "F"):
        upright = upright.convert("I" if upright.mode.startswith("I;16") else "RGB")  # modes a perspective transform takes
    page = straighten(upright, corners)
    share = quadrilateral_area(corners) / (upright.size[0] * upright.size[1])
    return page, [f"a page on a darker background ({share:.0%} of the photo): straightened, and only it read"]
