"""Find which MNIST format a folder holds, and load its training and test sets.

Formats (``data.format`` in config.yaml; ``auto`` picks the first that matches):

- ``idx``: the four official files, plain or gzip: train-images-idx3-ubyte,
  train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte
  (the ``train-images.idx3-ubyte`` spelling is accepted too).
- ``kaggle``: the digit-recognizer competition's ``train.csv`` (label + 784 pixels).
  Its ``test.csv`` has no labels, so a labelled test set is split off train.csv.
- ``mnist_csv``: "MNIST in CSV": ``mnist_train.csv`` and ``mnist_test.csv``, no header.
- ``npz``: one ``.npz`` file with ``x_train, y_train, x_test, y_test`` (as Keras ships it).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitnet.data.formats import read_csv_digits, read_idx_images, read_idx_labels, read_npz_digits
from digitnet.errors import DataError

IDX_STEMS = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}
FORMATS = ("idx", "kaggle", "mnist_csv", "npz")

# Where an operating-system package installs a dataset (Debian: apt-get install dataset-fashion-mnist).
PACKAGED = {"fashion-mnist": Path("/usr/share/datasets/fashion-mnist")}


def packaged_copy(dataset: str) -> Path | None:
    """The folder of an installed package holding all four IDX files of ``dataset``, if there is one."""
    folder = PACKAGED.get(dataset)
    if folder is None or not folder.is_dir():
        return None
    return folder if not _files_for(folder, "idx")[1] else None


@dataclass
class RawDataset:
    """Images as uint8 (N, 784) and labels as int64 (N,); the test labels may be unknown."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None


def _first_existing(folder: Path, names: list[str]) -> Path | None:
    return next((folder / name for name in names if (folder / name).is_file()), None)


def find_files(folder: Path, fmt: str = "auto") -> tuple[str, dict[str, Path]]:
    """Return (format, {role: path}) for the data in ``folder``; raise DataError naming what is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: data folder not found (set data_dir in config.yaml, or null to download MNIST)")
    if fmt not in ("auto", *FORMATS):
        raise DataError(f"unknown data format {fmt!r}: use auto, {', '.join(FORMATS)}")
    candidates = FORMATS if fmt == "auto" else (fmt,)
    problems = []
    for candidate in candidates:
        files, missing = _files_for(folder, candidate)
        if not missing:
            return candidate, files
        problems.append(f"{candidate}: no {' or '.join(missing)}")
    raise DataError(f"{folder}: no MNIST data found ({'; '.join(problems)})")


def _files_for(folder: Path, fmt: str) -> tuple[dict[str, Path], list[str]]:
    """The files of one format in ``folder``, and the names of those missing."""
    files: dict[str, Path] = {}
    missing: list[str] = []
    if fmt == "idx":
        for role, stems in IDX_STEMS.items():
            found = _first_existing(folder, [name for stem in stems for name in (stem, f"{stem}.gz")])
            if found is None:
                missing.append(f"{stems[0]}[.gz]")
            else:
                files[role] = found
    elif fmt == "kaggle":
        found = _first_existing(folder, ["train.csv"])
        files, missing = ({"train_csv": found}, []) if found else ({}, ["train.csv"])
    elif fmt == "mnist_csv":
        for role, name in (("train_csv", "mnist_train.csv"), ("test_csv", "mnist_test.csv")):
            found = _first_existing(folder, [name])
            if found is None:
                missing.append(name)
            else:
                files[role] = found
    elif fmt == "npz":
        found = sorted(folder.glob("*.npz"))
        files, missing = ({"npz": found[0]}, []) if len(found) == 1 else ({}, ["single .npz file"])
    return files, missing


def load_raw(fmt: str, files: dict[str, Path]) -> RawDataset:
    """Read the files found by ``find_files`` and check that images and labels match up."""
    if fmt == "idx":
        data = RawDataset(
            read_idx_images(files["train_images"]),
            read_idx_labels(files["train_labels"]),
            read_idx_images(files["test_images"]),
            read_idx_labels(files["test_labels"]),
        )
        for split in ("train", "test"):
            n_images, n_labels = len(getattr(data, f"x_{split}")), len(getattr(data, f"y_{split}"))
            if n_images != n_labels:
                raise DataError(
                    f"{files[f'{split}_labels']}: {n_labels} labels for {n_images} images in {files[f'{split}_images']}"
                )
        return data
    if fmt == "kaggle":
        x_train, y_train = read_csv_digits(files["train_csv"], has_labels=True)
        return RawDataset(x_train, y_train, None, None)
    if fmt == "mnist_csv":
        x_train, y_train = read_csv_digits(files["train_csv"], has_labels=True)
        x_test, y_test = read_csv_digits(files["test_csv"], has_labels=True)
        return RawDataset(x_train, y_train, x_test, y_test)
    if fmt == "npz":
        arrays = read_npz_digits(files["npz"])
        return RawDataset(arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"])
    raise DataError(f"unknown data format {fmt!r}")
