"""Readers for the file formats MNIST comes in.

Every reader returns uint8 images ``(N, 784)`` (row-major 28x28, 0 = background,
255 = ink) and int64 labels ``(N,)``, and raises DataError with a one-line message
that names the file and the problem when the file is not what it claims to be.
"""

import gzip
import zlib
from pathlib import Path

import numpy as np

from digitnet.errors import DataError

N_PIXELS = 784
IDX_IMAGES_MAGIC = 0x00000803  # unsigned byte data, 3 dimensions (N, rows, cols)
IDX_LABELS_MAGIC = 0x00000801  # unsigned byte data, 1 dimension (N,)


def read_bytes(path: Path) -> bytes:
    """The file's content, decompressed when its name ends in .gz."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            return gzip.decompress(raw)
        return raw
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(
            f"{path}: cannot be decompressed ({error}); the file is corrupt or truncated: replace it with a good copy"
        ) from None


def parse_idx(data: bytes, path: Path, expected_magic: int) -> np.ndarray:
    """Parse an IDX file: a 4-byte magic number, one 4-byte big-endian size per dimension, then the data.

    The magic number's last byte is the number of dimensions and its third byte the
    type (0x08 = unsigned byte), so 0x00000803 is a stack of uint8 images.
    """
    if len(data) == 0:
        raise DataError(f"{path}: file is empty")
    if len(data) < 4:
        raise DataError(f"{path}: truncated IDX file ({len(data)} bytes, no complete header)")
    magic = int.from_bytes(data[:4], "big")
    if magic != expected_magic:
        raise DataError(
            f"{path}: wrong magic number 0x{magic:08x}, expected 0x{expected_magic:08x}: "
            f"not an IDX {'image' if expected_magic == IDX_IMAGES_MAGIC else 'label'} file"
        )
    n_dims = magic & 0xFF
    header_size = 4 + 4 * n_dims
    if len(data) < header_size:
        raise DataError(f"{path}: truncated IDX header ({len(data)} bytes, expected at least {header_size})")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims))
    expected = header_size + int(np.prod(shape))
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "has trailing bytes"
        raise DataError(
            f"{path}: {problem}: the header announces shape {shape} ({expected} bytes) but the file has {len(data)} bytes"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape)


def read_idx_images(path: Path) -> np.ndarray:
    """IDX image file (e.g. train-images-idx3-ubyte[.gz]) -> uint8 (N, 784)."""
    images = parse_idx(read_bytes(path), path, IDX_IMAGES_MAGIC)
    if images.shape[1:] != (28, 28):
        raise DataError(f"{path}: images are {images.shape[1]}x{images.shape[2]}, expected 28x28")
    return images.reshape(len(images), N_PIXELS)


def read_idx_labels(path: Path) -> np.ndarray:
    """IDX label file (e.g. train-labels-idx1-ubyte[.gz]) -> int64 (N,) in 0..9."""
    labels = parse_idx(read_bytes(path), path, IDX_LABELS_MAGIC).astype(np.int64)
    check_labels(labels, path)
    return labels


def check_labels(labels: np.ndarray, path: Path) -> None:
    bad = (labels < 0) | (labels > 9)
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(f"{path}: label {labels[row]} at row {row} is not a digit 0-9")


def check_pixels(values: np.ndarray, path: Path) -> np.ndarray:
    """Pixel values (N, 784), any numeric dtype -> uint8; reject NaN, fractions and values outside 0..255."""
    if not np.isfinite(values).all():
        row = int(np.argwhere(~np.isfinite(values))[0][0])
        raise DataError(f"{path}: missing or non-finite pixel value at data row {row}")
    out_of_range = (values < 0) | (values > 255) | (values != np.round(values))
    if out_of_range.any():
        row, col = (int(i) for i in np.argwhere(out_of_range)[0])
        raise DataError(f"{path}: pixel value {values[row, col]} at data row {row}, column {col} is not an integer in 0..255")
    return values.astype(np.uint8)


def read_csv_digits(path: Path, has_labels: bool | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """A CSV of digits -> (uint8 images (N, 784), int64 labels (N,) or None).

    Understands the Kaggle digit-recognizer files (a header row; ``label,pixel0..pixel783``
    in train.csv, ``pixel0..pixel783`` in test.csv) and "MNIST in CSV" (no header;
    the label, then 784 pixels). ``has_labels`` None means: decide from the columns.
    """
    import pandas as pd  # here, not at the top: the usual IDX files never need it, and it takes 0.6 s to import

    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: file is empty")
    with open(path, "rb") as f:
        first_line = f.readline().decode("utf-8", errors="replace")
    has_header = any(c.isalpha() for c in first_line)
    try:
        frame = pd.read_csv(path, header=0 if has_header else None, low_memory=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise DataError(f"{path}: not a readable CSV ({str(error).splitlines()[0]})") from None
    n_columns = frame.shape[1]
    if has_labels is None:
        has_labels = n_columns == N_PIXELS + 1
    if n_columns != N_PIXELS + int(has_labels):
        raise DataError(
            f"{path}: {n_columns} columns, expected {N_PIXELS + int(has_labels)} "
            f"({'a label and ' if has_labels else ''}784 pixels per row)"
        )
    if has_header and has_labels and str(frame.columns[0]).strip().lower() != "label":
        raise DataError(f"{path}: the first column is {frame.columns[0]!r}, expected 'label'")
    if len(frame) == 0:
        raise DataError(f"{path}: no data rows")
    if all(pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes):
        numeric = frame.to_numpy(dtype=np.float64)
    else:
        # Some column holds text: find the first cell that is not a number, to name it.
        numeric = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
        bad = np.isnan(numeric) & frame.notna().to_numpy()
        if bad.any():
            row, col = (int(i) for i in np.argwhere(bad)[0])
            raise DataError(f"{path}: non-numeric value {frame.iat[row, col]!r} at data row {row}, column {frame.columns[col]!r}")
    labels = None
    if has_labels:
        label_values = numeric[:, 0]
        if not np.isfinite(label_values).all() or (label_values != np.round(label_values)).any():
            raise DataError(f"{path}: missing or fractional label in column {frame.columns[0]!r}")
        labels = label_values.astype(np.int64)
        check_labels(labels, path)
        numeric = numeric[:, 1:]
    return check_pixels(numeric, path), labels


def read_npz_digits(path: Path) -> dict[str, np.ndarray]:
    """An .npz with ``x_train, y_train, x_test, y_test`` (images (N, 28, 28) or (N, 784), uint8 or 0..255).

    Returns the same keys with images as uint8 (N, 784) and labels as int64 (N,).
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: not a readable .npz file ({error})") from None
    missing = [key for key in ("x_train", "y_train", "x_test", "y_test") if key not in arrays]
    if missing:
        raise DataError(f"{path}: missing arrays {', '.join(missing)} (has {', '.join(sorted(arrays)) or 'none'})")
    out = {}
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim not in (2, 3) or images.reshape(len(images), -1).shape[1] != N_PIXELS:
            raise DataError(f"{path}: x_{split} has shape {images.shape}, expected (N, 28, 28) or (N, 784)")
        if len(images) != len(labels):
            raise DataError(f"{path}: x_{split} has {len(images)} images but y_{split} has {len(labels)} labels")
        out[f"x_{split}"] = check_pixels(images.reshape(len(images), N_PIXELS).astype(np.float64), path)
        labels = labels.astype(np.int64)
        check_labels(labels, path)
        out[f"y_{split}"] = labels
    return out
