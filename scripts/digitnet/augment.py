"""Data augmentation: new training digits from old ones, a whole batch at a time.

Each image of a batch gets its own random small rotation, scaling and shift (an affine
map) and, optionally, an elastic distortion (Simard, Steinkraus and Platt, 2003): a random
displacement field, smoothed by a Gaussian so that neighbouring pixels move together, like
the wobble of a hand; and, optionally, a thicker or thinner stroke, as another pen would
draw it. The label stays the same; a 7 nudged, turned, bent or inked more is still a 7.

Everything is computed for all images at once: the source coordinates of every output
pixel, then one bilinear lookup. No Python loop runs over images or pixels.
"""

from dataclasses import dataclass

import numpy as np

SIDE = 28


@dataclass
class AugmentSettings:
    """Ranges of the random transforms (the ``train.augment`` slice of config.yaml)."""

    shift: float = 2.0  # pixels, each axis, uniform in [-shift, shift]
    rotation: float = 10.0  # degrees, uniform in [-rotation, rotation]
    scale: float = 0.1  # zoom factor uniform in [1 - scale, 1 + scale]
    elastic_alpha: float = 0.0  # displacement strength in pixels (0: no elastic distortion)
    elastic_sigma: float = 3.0  # smoothness of the displacement field, in pixels
    stroke: float = 0.0  # stroke width change, uniform in [-stroke, stroke] (1: one grey dilation or erosion)
    share: float = 1.0  # share of each batch transformed; the rest is trained on as it is (cheaper)


def gaussian_matrix(size: int, sigma: float) -> np.ndarray:
    """G : (size, size) with G[i, j] = the Gaussian weight of pixel j in the blur of pixel i (zero outside).

    Blurring a field F : (size, size) along both axes is then two matrix products, G F G^T.
    """
    offsets = np.arange(size)[:, None] - np.arange(size)[None, :]
    G = np.exp(-0.5 * (offsets / sigma) ** 2)
    return (G / G.sum(axis=1, keepdims=True)).astype(np.float32)


def source_coordinates(n: int, settings: AugmentSettings, rng: np.random.Generator) -> np.ndarray:
    """Where each output pixel of each image reads from: (n, 2, 28, 28) float32 as (row, column).

    The inverse map of "rotate by theta and scale by s about the center c, then shift by t":
    source = c + R(-theta) (output - c - t) / s, an affine map source = M output + b with
    M = R(-theta) / s : (n, 2, 2) and b = c - M (c + t) : (n, 2). All pixels of all images
    are then one batched matrix product with the (2, 784) grid of output coordinates.
    """
    theta = np.deg2rad(rng.uniform(-settings.rotation, settings.rotation, n))
    zoom = rng.uniform(1 - settings.scale, 1 + settings.scale, n)
    shift = rng.uniform(-settings.shift, settings.shift, (n, 2))
    center = (SIDE - 1) / 2
    cos, sin = np.cos(theta) / zoom, np.sin(theta) / zoom
    M = np.stack([np.stack([cos, -sin], axis=1), np.stack([sin, cos], axis=1)], axis=1)  # (n, 2, 2)
    b = center - M @ (center + shift)[:, :, None]  # (n, 2, 1)
    grid = np.mgrid[0:SIDE, 0:SIDE].reshape(2, -1).astype(np.float32)  # (2, 784): (row, column) of each pixel
    coords = (M.astype(np.float32) @ grid + b.astype(np.float32)).reshape(n, 2, SIDE, SIDE)
    if settings.elastic_alpha > 0:
        field = smooth_field(2 * rng.random((n, 2, SIDE, SIDE), dtype=np.float32) - 1, settings.elastic_sigma)
        # Rescale so the strongest displacement of each field is about alpha pixels.
        field /= np.abs(field).max(axis=(1, 2, 3), keepdims=True) + 1e-12
        coords += np.float32(settings.elastic_alpha) * field
    return coords


def smooth_field(noise: np.ndarray, sigma: float) -> np.ndarray:
    """noise : (n, 2, 28, 28) -> G noise G^T for each of its n * 2 planes (G = gaussian_matrix(28, sigma)).

    Each plane is blurred along its rows and then its columns. Both products are done as
    one (n * 2 * 28, 28) x (28, 28) matrix product each, not n * 2 small ones: the same
    numbers, a fraction of the time.
    """
    G = gaussian_matrix(SIDE, sigma)
    rows = (noise.reshape(-1, SIDE) @ G.T).reshape(noise.shape)  # F G^T
    both = rows.swapaxes(2, 3).reshape(-1, SIDE) @ G.T  # (F G^T)^T G^T = (G F G^T)^T
    return both.reshape(noise.shape).swapaxes(2, 3)


def bilinear_sample(images: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """images : (n, 28, 28), coords : (n, 2, 28, 28) -> (n, 28, 28), reading 0 outside the image.

    Each output pixel mixes the four input pixels around its source point, weighted by
    closeness: top = a + (b - a) fc, bottom = c + (d - c) fc, out = top + (bottom - top) fr.
    The images get a one-pixel black frame so that reads just outside are 0 without a test
    per pixel; the four reads are gathers from the flattened batch. Everything stays
    float32 and the indices are computed once (as intp, which ``take`` needs): this step
    is most of augmentation's cost.
    """
    n = len(images)
    side = SIDE + 2
    framed = np.pad(images, ((0, 0), (1, 1), (1, 1))).ravel()  # (n * 30 * 30,)
    # In framed coordinates, clipped so that the 2 x 2 neighbourhood stays inside the frame.
    r = np.clip(coords[:, 0].reshape(n, -1), -1, side - 2.001)  # (n, 784)
    c = np.clip(coords[:, 1].reshape(n, -1), -1, side - 2.001)
    r0, c0 = np.floor(r), np.floor(c)
    fr, fc = r - r0, c - c0  # (n, 784) float32 in [0, 1)
    first = (np.arange(n) * side * side + side + 1)[:, None]  # framed index of each image's pixel (0, 0)
    top_left = (r0.astype(np.intp) * side + c0.astype(np.intp)) + first
    a, b = framed.take(top_left), framed.take(top_left + 1)
    top_left += side
    c_, d = framed.take(top_left), framed.take(top_left + 1)
    top = a + (b - a) * fc
    out = top + (c_ + (d - c_) * fc - top) * fr
    return out.reshape(n, SIDE, SIDE)


def change_stroke(images: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """images : (n, 28, 28), amount : (n,) in [-1, 1] -> strokes thickened (amount > 0) or thinned (< 0).

    out = x + a (dilate(x) - x) for a > 0 and x + |a| (erode(x) - x) for a < 0, where dilate
    and erode are the maximum and minimum over each pixel and its four neighbours (a grey
    dilation or erosion with a cross): a full step widens or narrows a stroke by about
    2 px, a fraction of it shades the stroke's edge, as a slightly broader pen would.
    Each image gets only the one of the two it needs; outside the image counts as 0.
    """
    thicker = amount > 0
    target = np.empty_like(images)
    for chosen, reduce in ((thicker, np.maximum), (~thicker, np.minimum)):
        x = images[chosen]
        padded = np.pad(x, ((0, 0), (1, 1), (1, 1)))
        out = reduce(x, padded[:, :-2, 1:-1])
        reduce(out, padded[:, 2:, 1:-1], out=out)
        reduce(out, padded[:, 1:-1, :-2], out=out)
        reduce(out, padded[:, 1:-1, 2:], out=out)
        target[chosen] = out
    a = np.abs(amount)[:, None, None].astype(images.dtype)
    return images + a * (target - images)


def augment_batch(X: np.ndarray, rng: np.random.Generator, settings: AugmentSettings) -> np.ndarray:
    """X : (n, 784) float32 in [0, 1] -> new images of the same shape, dtype and range.

    With ``settings.share`` below 1, each image is transformed with that probability and
    the others are returned as they are: the cost falls in proportion, which lets a short
    training budget still see transformed digits.
    """
    chosen = np.flatnonzero(rng.random(len(X)) < settings.share) if settings.share < 1 else np.arange(len(X))
    coords = source_coordinates(len(chosen), settings, rng)
    images = bilinear_sample(X[chosen].reshape(-1, SIDE, SIDE), coords)
    if settings.stroke > 0:
        images = change_stroke(images, rng.uniform(-settings.stroke, settings.stroke, len(chosen)))
    out = X.copy()
    out[chosen] = np.clip(images, 0, 1).reshape(len(chosen), -1)
    return out
