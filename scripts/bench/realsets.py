"""The handwriting images the reader is chosen and checked on, each set split into two halves.

Four sources of single digits, and two sets made from the first, each as a list of ``Sample``
(an image, its label, its half):

- ``real_dev``: the licensed real photos of ``shared/data/real_digits_dev`` (its README gives
  each image's source and licence; keep them with any copy of an image);
- ``sklearn_digits``: scikit-learn's bundled ``load_digits`` (UCI optdigits: 43 writers, 8 x 8,
  17 grey levels), real handwriting that works offline; half white on black, half black on white;
- ``postal_like``: MNIST test digits cropped to their ink and stretched to fill a 16 x 16 frame,
  grey levels kept, white on black, as postal-code scans were size-normalized;
- ``mnist_png``: MNIST test digits saved as 28 x 28 PNG, half as they are (white on black), half
  inverted;
- ``reduced``: the real photos of ``real_dev`` shrunk to 28 x 28 and saved as JPEG, as a person
  makes a photo MNIST's size before handing it to a network (each in its photo's half);
- ``shrunk``: the same photos shrunk, their aspect kept, to small crops of 64 to 400 px, where a
  digit's strokes are only a few pixels wide and its long ones as straight as a printed line;
- ``turned_on_desk``: the real sheets photographed again, in effect, turned 3 to 8 degrees either
  way and whole, on a dark desk that shows in wedges between the page's corners.

Every rule and number of the reader is chosen on the "tune" half of each set and reported on
the "eval" half (``half_of``). The real sheets of ``real_dev`` are too few to split: all of them
are reported, and none was used to choose a number.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

HALVES = ("tune", "eval")


@dataclass
class Sample:
    """One image to read: its name, the image (decoded) or the file it is in, its label (a digit
    string: one digit, or a sheet's digits in reading order), and which half it belongs to."""

    name: str
    label: str
    half: str
    image: Image.Image | None = None
    path: Path | None = None


def half_of(index: int, seed: int = 0) -> str:
    """The half of a set's ``index``-th image: a fixed pseudo-random half, the same on every run."""
    return HALVES[int(np.random.default_rng([seed, index]).integers(2))]


def gray_image(levels: np.ndarray) -> Image.Image:
    """levels (h, w) float in [0, 1] -> an 8-bit grayscale image, as it would be saved as PNG."""
    return Image.fromarray(np.round(np.clip(levels, 0, 1) * 255).astype(np.uint8), mode="L")


def mnist_png(X: np.ndarray, y: np.ndarray, count: int, seed: int = 0) -> list[Sample]:
    """``count`` MNIST test digits X (n, 784) in [0, 1], labels y (n,), as 28 x 28 grayscale
    images: even positions white on black as in MNIST, odd ones inverted (black on white)."""
    chosen = np.random.default_rng(seed).choice(len(X), size=count, replace=False)
    samples = []
    for k, index in enumerate(chosen):
        levels = X[index].reshape(28, 28)
        inverted = k % 2 == 1
        samples.append(
            Sample(
                f"mnist-{index}{'-inverted' if inverted else ''}",
                str(int(y[index])),
                half_of(k, seed),
                gray_image(1 - levels if inverted else levels),
            )
        )
    return samples


def postal_frame(levels: np.ndarray, side: int = 16, max_widen: float = 2.0) -> np.ndarray:
    """One digit's ink (28, 28) in [0, 1] -> (side, side): cropped to its ink and stretched to fill
    the frame, grey levels kept. A digit narrower than the frame allows (a 1) is widened at most
    ``max_widen`` times its height's scale and centred, as a stroke was in the postal scans."""
    rows, cols = np.flatnonzero(levels.max(axis=1) > 0.1), np.flatnonzero(levels.max(axis=0) > 0.1)
    ink = levels[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = ink.shape
    new_width = min(side, max(1, round(width * max_widen * side / height)))
    stretched = Image.fromarray(ink.astype(np.float32), mode="F").resize((new_width, side), Image.Resampling.BILINEAR)
    frame = np.zeros((side, side), np.float32)
    left = (side - new_width) // 2
    frame[:, left : left + new_width] = np.clip(np.asarray(stretched), 0, 1)
    return frame


def postal_like(X: np.ndarray, y: np.ndarray, count: int, seed: int = 1) -> list[Sample]:
    """``count`` MNIST test digits as postal-scan-like 16 x 16 images, white on black (postal_frame)."""
    chosen = np.random.default_rng(seed).choice(len(X), size=count, replace=False)
    return [
        Sample(f"postal-{index}", str(int(y[index])), half_of(k, seed), gray_image(postal_frame(X[index].reshape(28, 28))))
        for k, index in enumerate(chosen)
    ]


def sklearn_digits(seed: int = 2) -> list[Sample]:
    """scikit-learn's 1,797 bundled 8 x 8 digits (values 0-16), at even positions white on black,
    at odd ones black on white."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    samples = []
    for k, (levels, label) in enumerate(zip(digits.images, digits.target, strict=True)):
        ink = levels / 16.0
        samples.append(Sample(f"sklearn-{k}", str(int(label)), half_of(k, seed), gray_image(ink if k % 2 == 0 else 1 - ink)))
    return samples


def real_dev(folder: Path) -> tuple[list[Sample], list[Sample]]:
    """(single digits, sheets) of the real development set in ``folder`` (its labels.csv).

    Single digits are split into halves alternately within each source, in file order, so
    both halves hold both writers; sheets are all "eval".
    """
    with open(Path(folder) / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    singles, sheets = [], []
    seen: dict[str, int] = {}
    for row in rows:
        path = Path(folder) / row["file"]
        if row["kind"] == "sheet":
            sheets.append(Sample(row["file"], row["label"], "eval", path=path))
            continue
        source = row["file"].split("_")[0]
        k = seen[source] = seen.get(source, -1) + 1
        singles.append(Sample(row["file"], row["label"], HALVES[k % 2], path=path))
    return singles, sheets


def reduced(singles: list[Sample], side: int = 28, quality: int = 75) -> list[Sample]:
    """Each real photo of ``singles`` resized to side x side (its aspect not kept, as a plain
    resize does) and through a JPEG of ``quality``: a small crop with a photo's lighting and
    noise and a compression's blocks. Each stays in its photo's half."""
    samples = []
    for sample in singles:
        with Image.open(sample.path) as image:
            small = image.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)
        encoded = io.BytesIO()
        small.save(encoded, format="JPEG", quality=quality)
        encoded.seek(0)
        samples.append(Sample(f"{sample.name}-{side}px", sample.label, sample.half, Image.open(encoded).convert("RGB")))
    return samples


def shrunk(singles: list[Sample], sides: tuple[int, ...] = (64, 100, 160, 250, 400)) -> list[Sample]:
    """Each real photo of ``singles`` shrunk (Lanczos, its aspect kept) so that its longest side
    is each of ``sides`` pixels, kept lossless: a small crop of a photo, as a person cuts one
    digit out of a larger picture. Each stays in its photo's half."""
    samples = []
    for sample in singles:
        with Image.open(sample.path) as image:
            photo = ImageOps.exif_transpose(image).convert("RGB")
        for side in sides:
            scale = side / max(photo.size)
            size = (max(1, round(photo.width * scale)), max(1, round(photo.height * scale)))
            small = photo.resize(size, Image.Resampling.LANCZOS)
            samples.append(Sample(f"{sample.name}-{side}px", sample.label, sample.half, small))
    return samples


def turned_on_desk(sheets: list[Sample], angles: tuple[float, ...] = (-8, -5, -3, 3, 5, 8), desk: int = 40) -> list[Sample]:
    """Each real sheet of ``sheets`` turned by each of ``angles`` degrees (counter-clockwise, bicubic),
    the whole of it kept, on a desk of grey level ``desk`` that fills the corners: a page
    photographed close up, a little askew, the desk showing around it."""
    samples = []
    for sample in sheets:
        with Image.open(sample.path) as image:
            page = ImageOps.exif_transpose(image).convert("RGB")
        for angle in angles:
            turned = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(desk,) * 3)
            samples.append(Sample(f"{sample.name}-turned{angle:+g}", sample.label, sample.half, turned))
    return samples
