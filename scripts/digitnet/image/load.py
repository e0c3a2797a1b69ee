"""Loading an image file: decoding it safely, standing it upright, and its gray levels in [0, 1].

Every function here takes or returns a Pillow image or a float32 array (H, W) of gray levels
in [0, 1] (0 black, 1 white); nothing here knows about ink or digits.
"""

import math
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from digitnet.errors import DigitnetError

WORK_SIZE = 160  # longest side at which a single digit's ink is found; the digit ends up 20 px, so 8x finer


class ImageError(DigitnetError):
    """An image that cannot be read or holds no digit; the message says which and why."""


class NoDigitError(ImageError):
    """An image whose marks were all told apart from handwriting (a paper's printed lines, a
    dash): no other preparation may read those marks as a digit, so the image is refused."""


def open_image(path: Path, max_megapixels: float = 40.0, work_size: int = WORK_SIZE) -> Image.Image:
    """Open and decode an image file, refusing empty, unreadable, corrupt and enormous ones.

    The pixel count is read from the header and checked before anything is decoded, so a
    tiny file that claims billions of pixels (a decompression bomb) costs nothing. JPEGs
    are decoded directly at a reduced scale (``draft``), no smaller than twice ``work_size``,
    which is much faster for photos.
    """
    path = Path(path)
    if not path.exists():
        raise ImageError("no such file")
    if path.is_dir():
        raise ImageError("a folder, not an image file")
    if not path.is_file():
        raise ImageError("not a regular file (a device, socket or pipe)")
    if path.stat().st_size == 0:
        raise ImageError("the file is empty (0 bytes)")
    refused = f"more than the {max_megapixels:g} allowed (custom_digits.max_megapixels): not decoded, as a guard against decompression bombs"
    pillow_limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow's own limit would warn, or refuse without the size: ours below says both.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = None
            image = Image.open(path)
            Image.MAX_IMAGE_PIXELS = pillow_limit
        width, height = image.size
        if width * height > max_megapixels * 1e6:
            raise ImageError(f"the image claims {width} x {height} pixels ({width * height / 1e6:.0f} megapixels), {refused}")
        image.draft("RGB", (2 * work_size, 2 * work_size))
        image.load()
    except UnidentifiedImageError:
        raise ImageError("not an image (no known image format)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError(f"corrupt or truncated image ({error})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = pillow_limit
    return image


def apply_exif_orientation(image: Image.Image) -> Image.Image:
    """Rotate or flip as the camera's EXIF orientation tag says, so the digit stands upright."""
    return ImageOps.exif_transpose(image)


def flatten_transparency(image: Image.Image) -> Image.Image:
    """Composite an image with an alpha channel onto white paper (transparent = paper)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image


def high_depth_gray(image: Image.Image) -> np.ndarray:
    """A 16-bit ("I;16", "I") or 32-bit float ("F") grayscale image as float32 (H, W) in [0, 1], by its real range.

    Pillow's conversion to 8 bits clips, so a 16-bit scan (values up to 65,535) would turn
    white. Integers are divided by the largest value their depth can hold (255 when they
    all fit 8 bits, else 65,535, else their own maximum); floats already in [0, 1] are
    kept, larger ones are divided likewise. Dividing by a fixed range rather than
    stretching to the image's own extremes keeps a blank page blank.
    """
    values = np.asarray(image, dtype=np.float64)
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if low < 0:
        values, high = values - low, high - low
    if image.mode == "F" and high <= 1:
        scale = 1.0
    else:
        scale = 255.0 if high <= 255 else 65535.0 if high <= 65535 else high
    return np.clip(np.nan_to_num(values / scale), 0, 1).astype(np.float32)


def to_grayscale(image: Image.Image) -> np.ndarray:
    """Luminance (ITU-R 601: 0.299 R + 0.587 G + 0.114 B), as float32 (H, W) in [0, 1].

    16-bit and float images keep their real range (``high_depth_gray``).
    """
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        return high_depth_gray(image)
    return np.asarray(image.convert("L"), dtype=np.float32) / np.float32(255)


def display_rgb(image: Image.Image) -> np.ndarray:
    """An RGB view (H, W, 3) uint8 of any decoded image, for figures: transparency on white, 16-bit by its range."""
    image = flatten_transparency(image)
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        gray = (to_grayscale(image) * 255).round().astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=2)
    return np.asarray(image.convert("RGB"))


def thumbnail_of(upright: Image.Image, size: int) -> np.ndarray:
    """A small RGB view (h, w, 3) uint8 of the upright image, longest side at most ``size``."""
    thumbnail = upright.copy()
    thumbnail.thumbnail((size, size))
    return display_rgb(thumbnail)


def round_half_up(value: float) -> int:
    """2.5 -> 3, as JavaScript's Math.round does (Python's round() gives 2): the playground
    in the report prepares drawings with the same sizes."""
    return math.floor(value + 0.5)


def resize_longest(gray: np.ndarray, size: int) -> np.ndarray:
    """Scale (H, W) so its longest side is ``size``, averaging pixels (anti-aliased); smaller images stay."""
    height, width = gray.shape
    scale = size / max(height, width)
    if scale >= 1:
        return gray
    new_size = (max(1, round_half_up(width * scale)), max(1, round_half_up(height * scale)))
    return np.asarray(Image.fromarray(gray, mode="F").resize(new_size, Image.Resampling.BOX), dtype=np.float32)
