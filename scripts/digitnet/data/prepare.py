"""Prepare raw digits for training: scale to [0, 1] float32 and split off validation data.

The validation set is drawn from the training images only; the official test images
are never looked at until evaluation, so the test accuracy stays an honest estimate.
"""

from dataclasses import dataclass

import numpy as np

from digitnet.data.sources import RawDataset
from digitnet.errors import DataError


@dataclass
class Split:
    """X : (N, 784) float32 in [0, 1], y : (N,) int64."""

    X: np.ndarray
    y: np.ndarray


def normalize(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 784) in 0..255 -> float32 (N, 784) in [0, 1]: X = images / 255."""
    return images.astype(np.float32) / np.float32(255)


def split_dataset(
    raw: RawDataset,
    validation_size: int,
    rng: np.random.Generator,
    test_size: int = 10000,
    train_limit: int | None = None,
) -> tuple[Split, Split, Split]:
    """Return (train, validation, test).

    - validation: ``validation_size`` training images chosen by ``rng`` (the seeded split);
    - test: the dataset's own labelled test set, or, when it has none (Kaggle's
      train.csv), ``test_size`` more images held out of the training file first;
    - train: the rest, optionally only the first ``train_limit`` of them (quick runs).
    """
    x_train, y_train = raw.x_train, raw.y_train
    order = rng.permutation(len(x_train))
    if raw.y_test is None:
        if test_size + validation_size >= len(x_train):
            raise DataError(
                f"split.test_size ({test_size}) + split.validation_size ({validation_size}) "
                f"leave no training images out of the {len(x_train)} in a file without a test set: "
                f"lower them in config.yaml so that they add up to at most {len(x_train) - 1}"
            )
        test_rows, order = order[:test_size], order[test_size:]
        x_test, y_test = x_train[test_rows], y_train[test_rows]
    else:
        x_test, y_test = raw.x_test, raw.y_test
    if validation_size >= len(order):
        raise DataError(
            f"split.validation_size ({validation_size}) must be smaller than the {len(order)} training images: "
            f"set it to a number from 1 to {len(order) - 1} in config.yaml"
        )
    val_rows, train_rows = order[:validation_size], order[validation_size:]
    if train_limit is not None:
        train_rows = train_rows[:train_limit]
    # Sorting the row indices keeps the copies cache-friendly; order within a split
    # does not matter because training shuffles every epoch.
    train_rows, val_rows = np.sort(train_rows), np.sort(val_rows)
    return (
        Split(normalize(x_train[train_rows]), y_train[train_rows]),
        Split(normalize(x_train[val_rows]), y_train[val_rows]),
        Split(normalize(x_test), y_test),
    )
