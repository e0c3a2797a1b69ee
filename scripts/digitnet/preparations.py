"""Which preparations of one digit's image the network reads, and how their readings make one answer.

No one way of preparing a digit suits every image: the photo preparation (digitnet.preprocess)
takes a thumb's shadow, ruled lines and ink showing through off a phone photo, but its rules
were made for a digit drawn over hundreds of pixels, and on a small scan or a crop that the
digit fills they can drop a stroke or take the digit for paper. The plain MNIST-style
preparation (digitnet.image.plain) drops nothing and knows nothing of photos. So both are
made, and the network reads both; the answer is the mean of their probabilities. Where the
two agree, the answer is as sure as each; where they disagree, it is less sure, and says so.
That mean is then calibrated (``calibrate``): averaged over preparations and shifts, the
network's probabilities are too modest, and a temperature makes "90%" mean right 9 times in 10.

| preparation | made for | why |
|---|---|---|
| as given | a 28 x 28 image that already is an MNIST digit | nothing else is made: any other would only move it |
| plain | every other image | what MNIST did, with nothing that can drop ink |
| plain, strokes as MNIST's | images under PHOTO_FROM pixels whose strokes are not MNIST's width | a scan stretched to its frame turns a 1 into a slab |
| photo | images at least PHOTO_FROM pixels on their longest side | a phone photo's clutter needs pixels to be told from a stroke |

The rule (the mean over the preparations made) was chosen among the mean, the most confident
preparation, the geometric mean and a fixed order, on one half of each set of real and
generated digits (scripts/bench/realsets.py), and is reported on the other half. So was the
third row: it took the tune halves of postal-like scans from 97.77% to 98.89% and of load_digits
from 93.84% to 95.25%, and changed no other set (thinning strokes from 1.5 or 2 times MNIST's
width, instead of from any width above it, gained less on both).
"""

from dataclasses import dataclass, field

import numpy as np

from digitnet.image.load import ImageError, NoDigitError
from digitnet.image.plain import Prepared, as_mnist, plain_crop, plain_fitted, plain_strokes
from digitnet.preprocess import photo_digit

# Longest side, in pixels, from which the photo preparation is made: under it the image is a
# scan or a crop (8 x 8, 16 x 16, 28 x 28 digits), where its lighting window, faint-ink rules and
# closer look have too few pixels to work with.
PHOTO_FROM = 64
# Mode "auto" cuts an image into pieces only when the photo preparation found ink that looks like
# several digits: wider than ROW_ASPECT times its height (a row), or at least SHEET_PIECES pieces at
# least half as tall as the tallest (two digits, or one drawn in two strokes: the network tells
# which, digitnet.reading.surer_as_sheet). At three, "01" (a narrow 1 beside a 0, 1.36 times as
# wide as tall) was read as one digit; at two, 70 of 75 tune pairs of digits are read whole, up
# from 53, and as few single digits of the tune halves are taken for two as before (2 of 1,348).
ROW_ASPECT = 1.4
SHEET_PIECES = 2


@dataclass
class Preparations:
    """The preparations made of one digit's image, in the order of the table above, with what
    was decided: names (c,), each a Prepared; notes on the image as a whole; and the layout of
    the photo preparation's ink (aspect, pieces), None without it."""

    names: list[str]
    prepared: list[Prepared]
    notes: list[str] = field(default_factory=list)
    layout: tuple[float, int] | None = None

    @property
    def pixels(self) -> np.ndarray:
        """(c, 784) float32: each preparation's digit, white on black."""
        return np.stack([p.pixels for p in self.prepared]).astype(np.float32)

    def might_be_sheet(self) -> bool:
        """Whether the ink looks like several digits (ROW_ASPECT, SHEET_PIECES): mode "auto" then cuts the image."""
        return self.layout is not None and (self.layout[0] >= ROW_ASPECT or self.layout[1] >= SHEET_PIECES)


def prepare_digit(gray: np.ndarray) -> Preparations:
    """Every preparation of the table above that applies to gray levels (H, W) of one digit.

    A preparation that finds no digit is left out, with its reason in the notes; ImageError
    (the plain preparation's reason, which has no rule that drops ink) when none finds one, and
    NoDigitError when the photo preparation found only marks that are no handwriting.
    """
    given = as_mnist(gray)
    if given is not None:
        return Preparations(["as given"], [given])
    made = Preparations([], [])
    try:
        cropped = plain_crop(gray)
        made.prepared.append(plain_fitted(cropped))
        made.names.append("plain")
        strokes = plain_strokes(cropped) if max(gray.shape) < PHOTO_FROM else None
        if strokes is not None:
            made.prepared.append(strokes)
            made.names.append("plain, strokes as MNIST's")
    except ImageError as error:
        plain_error = error
        made.notes.append(f"plain preparation: {error}")
    if max(gray.shape) >= PHOTO_FROM:
        try:
            photo = photo_digit(gray)
            made.prepared.append(Prepared(photo.pixels, photo.steps, photo.notes))
            made.names.append("photo")
            made.layout = (photo.aspect, photo.pieces)
        except NoDigitError:
            raise  # its marks are not handwriting (printed lines): the plain preparation must not read them
        except ImageError as error:
            made.notes.append(f"photo preparation: {error}")
    if not made.prepared:
        raise plain_error
    return made


def shifted(pixels: np.ndarray) -> np.ndarray:
    """Each digit of pixels (n, 784) as it is and moved by one pixel up, down, left and right:
    (SHIFTS, n, 784). Centring by mass places a digit only roughly where MNIST's were."""
    digits = pixels.reshape(-1, 28, 28)
    moves = [digits]
    for axis, step in ((1, 1), (1, -1), (2, 1), (2, -1)):
        moved = np.roll(digits, step, axis=axis)
        edge = [slice(None)] * 3
        edge[axis] = 0 if step > 0 else -1
        moved[tuple(edge)] = 0  # what rolled over the edge is paper
        moves.append(moved)
    return np.stack(moves).reshape(len(moves), -1, 784)


def read_rows(predict, pixels: np.ndarray) -> np.ndarray:
    """The network's reading (n, 10) of each preparation in pixels (n, 784): the mean of its
    probabilities over the digit as it is and shifted by a pixel each way (shifted), in one
    batched call of ``predict`` ((m, 784) -> (m, 10))."""
    if len(pixels) == 0:
        return np.zeros((0, 10), np.float32)
    moves = shifted(pixels)  # (SHIFTS, n, 784)
    return predict(moves.reshape(-1, 784)).reshape(len(moves), len(pixels), -1).mean(axis=0).astype(np.float32)


def combine(P: np.ndarray, piece: np.ndarray, count: int) -> np.ndarray:
    """The answer's probabilities per piece: P (n, 10), the network's reading of every
    preparation, piece (n,) the piece each belongs to (0..count-1) -> (count, 10), the mean of
    each piece's readings."""
    total = np.zeros((count, P.shape[1]), dtype=np.float64)
    np.add.at(total, piece, P)
    return (total / np.maximum(np.bincount(piece, minlength=count), 1)[:, None]).astype(np.float32)


def calibrate(P: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities P (k, 10) made to mean what they say: softmax(log(P) / temperature), row by row.

    Temperature scaling (Guo et al., 2017): one number, fitted on held-out images, that divides
    every log-probability alike, so the order of the digits (and so the answer) never changes;
    only how sure it is. Below 1 sharpens (the mean over preparations and shifts is too modest),
    above 1 softens, 1 leaves P as it is. custom_digits.temperature was fitted by
    scripts/bench/calibrate.py on the tune halves of the real and generated sets.
    """
    logits = np.log(np.maximum(P, 1e-12)) / temperature  # (k, 10); a probability of 0 stays ~0
    logits -= logits.max(axis=1, keepdims=True)  # exp of at most 0: no overflow
    sharpened = np.exp(logits)
    return (sharpened / sharpened.sum(axis=1, keepdims=True)).astype(np.float32)
