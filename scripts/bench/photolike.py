"""Photo-like versions of MNIST digits: dark ink on light paper, as a phone would capture them.

Real photos of digits cannot be downloaded here, so the handwriting benchmark, the tests
and the example images make their own from MNIST test digits, with every nuisance the
preprocessing must undo: scale, position, uneven lighting, blur, noise, stroke thickness,
a slight rotation and JPEG compression; and, as variants, what real paper adds: ruled or
squared lines, pencil, ink showing through from the back, a digit touching the border,
thin ballpoint, coloured paper, a thumb's shadow at the edge. ``sheet_like`` writes several
digits on one page. All randomness comes from ``rng``.

A page is built as float32 layers (H, W) in [0, 1]: ``ink`` (how much of each pixel the
pen covers) over ``lines`` (the printed rules) over the paper; ``render`` turns them into
an RGB photo.
"""

import io

import numpy as np
from PIL import Image, ImageFilter

from digitnet.image.morphology import sliding_max

VARIANTS = ("plain", "ruled", "squared", "pencil", "show-through", "border", "ballpoint", "coloured", "thumb")


def digit_ink(
    pixels: np.ndarray, size: int, rng: np.random.Generator, stroke: int | None = None, step: int | None = None
) -> np.ndarray:
    """One MNIST digit (784,) scaled to size x size, its stroke thickened or thinned and
    rotated a little: ink (h, w) float32 in [0, 1] (h, w grow with the rotation).

    stroke: dilation (> 0) or erosion (< 0) steps of ``step`` pixels each (default about
    half an MNIST pixel, size // 56); default random in -1..2.
    """
    ink = Image.fromarray((pixels.reshape(28, 28) * 255).astype(np.uint8), mode="L")
    ink = ink.resize((size, size), Image.Resampling.BICUBIC)
    steps = int(rng.integers(-1, 3)) if stroke is None else stroke
    radius = abs(steps) * (step or max(1, size // 56))
    if radius > 0:
        # Separable, the same pixels as Pillow's MaxFilter / MinFilter (edges repeated) at a
        # fraction of their cost, which grows with the window's area.
        levels = np.asarray(ink)
        levels = sliding_max(levels, 2 * radius + 1) if steps > 0 else 255 - sliding_max(255 - levels, 2 * radius + 1)
        ink = Image.fromarray(levels, mode="L")
    ink = ink.rotate(float(rng.uniform(-10, 10)), resample=Image.Resampling.BILINEAR, expand=True)
    return np.asarray(ink, dtype=np.float32) / 255


def paste(layer: np.ndarray, ink: np.ndarray, top: int, left: int) -> None:
    """Lay ink (h, w) onto layer (H, W) at (top, left), in place, keeping the darker of the two (max);
    parts that fall outside the layer are cut off."""
    t0, l0 = max(top, 0), max(left, 0)
    t1, l1 = min(top + ink.shape[0], layer.shape[0]), min(left + ink.shape[1], layer.shape[1])
    if t1 > t0 and l1 > l0:
        region = layer[t0:t1, l0:l1]
        np.maximum(region, ink[t0 - top : t1 - top, l0 - left : l1 - left], out=region)


def ruled_lines(shape: tuple[int, int], spacing: float, rng: np.random.Generator, vertical: bool) -> np.ndarray:
    """Printed rules, 1-3 px thick, every ``spacing`` px, tilted up to 2 degrees: (H, W) float32 coverage in [0, 1]."""
    height, width = shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    slope = np.tan(np.deg2rad(rng.uniform(-2, 2)))
    across = (xs - slope * ys) if vertical else (ys - slope * xs)
    phase = (across - rng.uniform(0, spacing)) % spacing
    distance = np.minimum(phase, spacing - phase)  # to the nearest line
    half = rng.uniform(0.5, 1.5)  # half the line's thickness
    return np.clip(half + 0.5 - distance, 0, 1).astype(np.float32)


def paper_lines(shape: tuple[int, int], digit_size: int, rng: np.random.Generator, variant: str) -> np.ndarray | None:
    """The printed lines of "ruled" (every 0.3-0.5 digit heights) or "squared" paper (every
    0.2-0.35, both ways), as (H, W) coverage; None for other variants."""
    if variant == "ruled":
        return ruled_lines(shape, digit_size * rng.uniform(0.3, 0.5), rng, vertical=False)
    if variant == "squared":
        spacing = digit_size * rng.uniform(0.2, 0.35)
        return np.maximum(ruled_lines(shape, spacing, rng, vertical=False), ruled_lines(shape, spacing, rng, vertical=True))
    return None


def render(ink: np.ndarray, rng: np.random.Generator, variant: str = "plain", lines: np.ndarray | None = None) -> Image.Image:
    """Ink (H, W) in [0, 1] (and optional printed lines, same shape) -> an RGB photo, JPEG round-tripped.

    Paper 0.75-0.95 bright, ink 0.05-0.3 (pencil: 0.4-0.6 and grainy), a linear lighting
    gradient down to 55%, noise, blur, a colour cast and JPEG at quality 50-90.
    """
    height, width = ink.shape
    paper = rng.uniform(0.75, 0.95)
    paper_rgb = paper * (rng.uniform(0.9, 1.0, 3) if variant != "coloured" else rng.uniform(0.55, 1.0, 3))
    ink_level = rng.uniform(0.4, 0.6) if variant == "pencil" else rng.uniform(0.05, 0.3)
    ink_rgb = np.full(3, ink_level) if variant != "coloured" else np.array([ink_level, ink_level, rng.uniform(0.3, 0.6)])
    if variant == "pencil":
        ink = ink * rng.uniform(0.55, 1.0, ink.shape).astype(np.float32)  # graphite grain
    photo = np.broadcast_to(paper_rgb, (height, width, 3)).astype(np.float32)
    if lines is not None:
        line_rgb = rng.uniform([0.45, 0.55, 0.7], [0.7, 0.8, 0.95]) * paper  # light blue or gray print
        photo = photo * (1 - lines[..., None]) + line_rgb * lines[..., None]
    photo = photo * (1 - ink[..., None]) + ink_rgb * ink[..., None]
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width] / max(height, width)
    ramp = (np.cos(angle) * xs + np.sin(angle) * ys) * 0.5 + 0.5
    photo *= (1 - rng.uniform(0.0, 0.45) * ramp)[..., None]
    if variant == "thumb":
        # A thumb or its shadow over one edge: a dark soft ellipse centered just outside the page.
        cy, cx = (
            (height * rng.uniform(0.3, 0.7), -0.08 * width)
            if rng.random() < 0.5
            else (height * 1.08, width * rng.uniform(0.3, 0.7))
        )
        inside = ((ys * max(height, width) - cy) / (0.22 * height)) ** 2 + ((xs * max(height, width) - cx) / (0.14 * width)) ** 2
        photo *= (1 - rng.uniform(0.5, 0.8) * np.clip(1.5 - inside, 0, 1))[..., None]
    photo += rng.normal(0, rng.uniform(0.01, 0.04), (height, width, 1))
    rgb = Image.fromarray((np.clip(photo, 0, 1) * 255).astype(np.uint8), mode="RGB")
    rgb = rgb.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 2.0) if variant != "ballpoint" else rng.uniform(0.3, 0.8))))
    buffer = io.BytesIO()
    rgb.save(buffer, format="JPEG", quality=int(rng.integers(50, 90)))
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def photo_like(
    pixels: np.ndarray,
    rng: np.random.Generator,
    canvas: int | None = None,
    variant: str = "plain",
    back: np.ndarray | None = None,
) -> Image.Image:
    """Turn one MNIST digit (784,) in [0, 1] into an RGB photo-like image, JPEG round-tripped.

    canvas: side of the square photo in pixels (default: random, 300 to 600).
    variant: one of VARIANTS. "show-through" needs ``back``, another digit (784,), which is
    mirrored and shows faintly as if written on the back of the sheet.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown photo-like variant {variant!r}: use one of {VARIANTS}")
    canvas = int(canvas or (rng.integers(700, 1001) if variant == "ballpoint" else rng.integers(300, 601)))
    digit_size = int(canvas * rng.uniform(0.3, 0.6))
    # A ballpoint's line is about 1% of the digit's size, a fifth of MNIST's stroke.
    if variant == "ballpoint":
        ink = digit_ink(pixels, digit_size, rng, stroke=-2, step=max(1, digit_size // 80))
    else:
        ink = digit_ink(pixels, digit_size, rng)
    layer = np.zeros((canvas, canvas), dtype=np.float32)
    if variant == "border":
        # Flush with one side, cut by up to 3% of the digit: the ink runs into the edge.
        cut = int(rng.integers(0, max(1, digit_size * 3 // 100) + 1))
        rows, cols = np.flatnonzero(ink.max(axis=1) > 0.3), np.flatnonzero(ink.max(axis=0) > 0.3)
        side = int(rng.integers(4))
        top = int(rng.integers(0, max(1, canvas - ink.shape[0])))
        left = int(rng.integers(0, max(1, canvas - ink.shape[1])))
        if side == 0:
            top = -rows[0] - cut
        elif side == 1:
            top = canvas - rows[-1] - 1 + cut
        elif side == 2:
            left = -cols[0] - cut
        else:
            left = canvas - cols[-1] - 1 + cut
    else:
        top = int(rng.integers(0, max(1, canvas - ink.shape[0])))
        left = int(rng.integers(0, max(1, canvas - ink.shape[1])))
    paste(layer, ink, top, left)
    lines = paper_lines(layer.shape, digit_size, rng, variant)
    if variant == "show-through":
        shadow = digit_ink(back, int(canvas * rng.uniform(0.3, 0.6)), rng)[:, ::-1]
        blurred = Image.fromarray((shadow * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(canvas / 150))
        shadow = np.asarray(blurred, dtype=np.float32) / 255  # ink seen through paper is soft
        faint = np.zeros_like(layer)
        paste(faint, shadow * rng.uniform(0.15, 0.3), int(rng.integers(0, canvas // 2)), int(rng.integers(0, canvas // 2)))
        layer = np.maximum(layer, faint)
    return render(layer, rng, variant, lines)


def tilted(layer: np.ndarray, rng: np.random.Generator, degrees: float, perspective: float) -> np.ndarray:
    """Ink (H, W) as photographed askew: turned by up to ``degrees`` either way and seen in
    perspective, each corner moved by up to ``perspective`` of the page's size: (H', W') float32,
    grown by a margin so nothing is cut off."""
    height, width = layer.shape
    margin = int(max(height, width) * (np.sin(np.radians(degrees)) + perspective)) + 2
    big = np.pad(layer, margin)
    size = np.array(big.shape[::-1], dtype=np.float64)
    angle = np.radians(rng.uniform(-degrees, degrees))
    centre = size / 2
    corners = np.array([[margin, margin], [margin + width, margin], [margin + width, margin + height], [margin, margin + height]], float)
    turned = centre + (corners - centre) @ np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    moved = turned + rng.uniform(-perspective, perspective, (4, 2)) * max(height, width)
    # Pillow maps each output pixel back to its source: solve for the map from moved to the corners.
    rows = []
    for (xs, ys), (xt, yt) in zip(corners, moved, strict=True):
        rows.append([xt, yt, 1, 0, 0, 0, -xs * xt, -xs * yt])
        rows.append([0, 0, 0, xt, yt, 1, -ys * xt, -ys * yt])
    coefficients = np.linalg.solve(np.array(rows), corners.reshape(8))
    out = Image.fromarray(big.astype(np.float32), mode="F").transform(
        big.shape[::-1], Image.Transform.PERSPECTIVE, tuple(coefficients), Image.Resampling.BILINEAR
    )
    return np.clip(np.asarray(out, dtype=np.float32), 0, 1)


def sheet_like(
    digits: np.ndarray,
    rng: np.random.Generator,
    rows: int = 1,
    variant: str = "plain",
    slope: float = 0.0,
    perspective: float = 0.0,
) -> Image.Image:
    """Several MNIST digits (n, 784) written on one photo-like page, in ``rows`` rows: an RGB image.

    variant: "plain", "ruled" or "squared" paper. slope: the page is photographed turned by
    up to this many degrees; perspective: and in perspective, each corner moved by up to this
    share of the page (tilted).
    Digits are cut to their ink and set side by side with gaps from "touching" (a third of
    them: 0 to 1 px of overlap at MNIST's scale, as a hurried hand joins its digits) to
    half a digit; each wobbles up or down a little, as handwriting does.
    """
    size = int(rng.integers(60, 121))  # digit height in pixels
    inks = []
    for pixels in digits:
        ink = digit_ink(pixels, int(size * 28 / 20), rng, stroke=int(rng.integers(0, 2)))
        keep_rows, keep_cols = np.flatnonzero(ink.max(axis=1) > 0.1), np.flatnonzero(ink.max(axis=0) > 0.1)
        inks.append(ink[keep_rows[0] : keep_rows[-1] + 1, keep_cols[0] : keep_cols[-1] + 1])
    per_row = -(-len(inks) // rows)
    margin, line_height = size // 2, int(size * 1.8)
    gaps = np.where(
        rng.random(len(inks)) < 1 / 3, -rng.uniform(0, size / 20, len(inks)), rng.uniform(size / 8, size / 2, len(inks))
    )
    lines = [inks[r * per_row : (r + 1) * per_row] for r in range(rows)]
    width = max(sum(ink.shape[1] for ink in line) + int(gaps.clip(0).sum()) for line in lines) + 2 * margin
    layer = np.zeros((rows * line_height + 2 * margin, width), dtype=np.float32)
    k = 0
    for r, line in enumerate(lines):
        left = margin
        for ink in line:
            baseline = margin + r * line_height + size + int(rng.integers(-size // 10, size // 10 + 1))
            paste(layer, ink, baseline - ink.shape[0], left)
            left += ink.shape[1] + int(round(gaps[k]))
            k += 1
    if slope or perspective:
        layer = tilted(layer, rng, slope, perspective)
    return render(layer, rng, variant, paper_lines(layer.shape, size, rng, variant))
