"""Small real datasets cut from the official MNIST files, written in each supported format,
and the small CNN the tests train on them."""

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from digitnet.data.formats import read_idx_images, read_idx_labels


def read_real(mnist: Path, split: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first n real images (uint8 (n, 784)) and labels of the train or t10k split."""
    images = read_idx_images(mnist / f"{split}-images-idx3-ubyte.gz")[:n]
    labels = read_idx_labels(mnist / f"{split}-labels-idx1-ubyte.gz")[:n]
    return images, labels


def idx_bytes(array: np.ndarray, magic: int, shape: tuple[int, ...]) -> bytes:
    """IDX encoding: magic, big-endian sizes, then the uint8 data."""
    header = magic.to_bytes(4, "big") + b"".join(s.to_bytes(4, "big") for s in shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx(folder: Path, images: dict, labels: dict, gz: bool = True) -> None:
    """Write {split: images (n, 784)} and {split: labels} as the four IDX files."""
    folder.mkdir(parents=True, exist_ok=True)
    for split in ("train", "t10k"):
        x, y = images[split], labels[split]
        files = {
            f"{split}-images-idx3-ubyte": idx_bytes(x, 0x803, (len(x), 28, 28)),
            f"{split}-labels-idx1-ubyte": idx_bytes(y, 0x801, (len(y),)),
        }
        for name, data in files.items():
            if gz:
                (folder / f"{name}.gz").write_bytes(gzip.compress(data))
            else:
                (folder / name).write_bytes(data)


def kaggle_frame(x: np.ndarray, y: np.ndarray | None) -> pd.DataFrame:
    """Kaggle digit-recognizer layout: optional 'label', then pixel0..pixel783."""
    frame = pd.DataFrame(x, columns=[f"pixel{i}" for i in range(784)])
    if y is not None:
        frame.insert(0, "label", y)
    return frame


def write_small_mnist(mnist: Path, folder: Path, n_train: int, n_test: int) -> Path:
    """A real but small MNIST in IDX .gz format: the first n_train / n_test official images."""
    x_train, y_train = read_real(mnist, "train", n_train)
    x_test, y_test = read_real(mnist, "t10k", n_test)
    write_idx(folder, {"train": x_train, "t10k": x_test}, {"train": y_train, "t10k": y_test})
    return folder


# A CNN small enough to train in seconds: the layer stack of config.yaml's model.layers.
SMALL_CNN = [
    {"type": "conv2d", "filters": 8, "kernel": 5, "padding": 2},
    {"type": "relu"},
    {"type": "maxpool2d", "size": 2},
    {"type": "conv2d", "filters": 16, "kernel": 5},
    {"type": "relu"},
    {"type": "maxpool2d", "size": 2},
    {"type": "dense", "units": 64},
    {"type": "relu"},
]
