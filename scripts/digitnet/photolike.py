"""Photo-like versions of MNIST digits: dark ink on light paper, as a phone would capture them.

Real photos of digits cannot be downloaded here, so the handwriting benchmark and the
example images make their own from MNIST test digits, with every nuisance the
preprocessing must undo: scale, position, uneven lighting, blur, noise, stroke
thickness, a slight rotation and JPEG compression. All randomness comes from ``rng``.
"""

import io

import numpy as np
from PIL import Image, ImageFilter


def photo_like(pixels: np.ndarray, rng: np.random.Generator, canvas: int | None = None) -> Image.Image:
    """Turn one MNIST digit (784,) in [0, 1] into an RGB photo-like image, JPEG round-tripped.

    canvas: side of the square photo in pixels (default: random, 300 to 600).
    """
    canvas = int(canvas or rng.integers(300, 601))
    digit_size = int(canvas * rng.uniform(0.3, 0.6))
    ink = Image.fromarray((pixels.reshape(28, 28) * 255).astype(np.uint8), mode="L")
    ink = ink.resize((digit_size, digit_size), Image.Resampling.BICUBIC)
    # Thicker or thinner strokes than MNIST's: a grey dilation or erosion of up to ~1 MNIST pixel.
    radius = int(rng.integers(-1, 3)) * max(1, digit_size // 56)
    if radius > 0:
        ink = ink.filter(ImageFilter.MaxFilter(2 * radius + 1))
    elif radius < 0:
        ink = ink.filter(ImageFilter.MinFilter(2 * -radius + 1))
    ink = ink.rotate(float(rng.uniform(-10, 10)), resample=Image.Resampling.BILINEAR, expand=True)
    layer = np.zeros((canvas, canvas), dtype=np.float32)
    top = int(rng.integers(0, max(1, canvas - ink.height)))
    left = int(rng.integers(0, max(1, canvas - ink.width)))
    cut = np.asarray(ink, dtype=np.float32)[: canvas - top, : canvas - left] / 255
    layer[top : top + cut.shape[0], left : left + cut.shape[1]] = cut
    paper, ink_level = rng.uniform(0.75, 0.95), rng.uniform(0.05, 0.3)
    photo = paper - (paper - ink_level) * layer
    # Uneven lighting: a linear gradient in a random direction, 55% to 100% of full light.
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:canvas, 0:canvas] / canvas
    ramp = (np.cos(angle) * xs + np.sin(angle) * ys) * 0.5 + 0.5
    photo *= 1 - rng.uniform(0.0, 0.45) * ramp
    photo += rng.normal(0, rng.uniform(0.01, 0.04), photo.shape)
    gray = Image.fromarray((np.clip(photo, 0, 1) * 255).astype(np.uint8), mode="L")
    gray = gray.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 2.0))))
    tint = rng.uniform(0.9, 1.0, size=3)
    rgb = (np.asarray(gray, dtype=np.float32)[..., None] * tint).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb, mode="RGB").save(buffer, format="JPEG", quality=int(rng.integers(50, 90)))
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")
