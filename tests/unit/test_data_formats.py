"""The data readers on real MNIST files, in every supported format, and on crafted bad files."""

import gzip

import numpy as np
import pytest

from data_helpers import idx_bytes, kaggle_frame, read_real, write_idx
from digitnet.data.formats import read_csv_digits, read_idx_images, read_idx_labels, read_npz_digits
from digitnet.data.prepare import split_dataset
from digitnet.data.sources import find_files, load_raw
from digitnet.errors import DataError


@pytest.fixture(scope="module")
def small(mnist_path):
    """200 real training and 50 real test digits."""
    return read_real(mnist_path, "train", 200), read_real(mnist_path, "t10k", 50)


def test_official_idx_files_read_as_60000_and_10000_uint8_images(mnist_path):
    x = read_idx_images(mnist_path / "train-images-idx3-ubyte.gz")
    y = read_idx_labels(mnist_path / "train-labels-idx1-ubyte.gz")
    assert x.shape == (60000, 784) and x.dtype == np.uint8
    assert y[:5].tolist() == [5, 0, 4, 1, 9]
    assert read_idx_images(mnist_path / "t10k-images-idx3-ubyte.gz").shape == (10000, 784)


def test_plain_and_gzip_idx_folders_are_detected_and_read_alike(small, tmp_path):
    (x, y), (xt, yt) = small
    for gz in (True, False):
        folder = tmp_path / f"gz{gz}"
        write_idx(folder, {"train": x, "t10k": xt}, {"train": y, "t10k": yt}, gz=gz)
        fmt, files = find_files(folder)
        raw = load_raw(fmt, files)
        assert fmt == "idx"
        assert np.array_equal(raw.x_train, x) and np.array_equal(raw.y_test, yt)


def test_kaggle_train_csv_is_detected_and_read(small, tmp_path):
    (x, y), _ = small
    kaggle_frame(x, y).to_csv(tmp_path / "train.csv", index=False)
    kaggle_frame(x[:10], None).to_csv(tmp_path / "test.csv", index=False)
    fmt, files = find_files(tmp_path)
    raw = load_raw(fmt, files)
    assert fmt == "kaggle" and raw.y_test is None
    assert np.array_equal(raw.x_train, x) and np.array_equal(raw.y_train, y)
    unlabeled, labels = read_csv_digits(tmp_path / "test.csv")
    assert labels is None and np.array_equal(unlabeled, x[:10])


def test_mnist_in_csv_without_header_is_detected_and_read(small, tmp_path):
    (x, y), (xt, yt) = small
    np.savetxt(tmp_path / "mnist_train.csv", np.column_stack([y, x]), fmt="%d", delimiter=",")
    np.savetxt(tmp_path / "mnist_test.csv", np.column_stack([yt, xt]), fmt="%d", delimiter=",")
    fmt, files = find_files(tmp_path)
    raw = load_raw(fmt, files)
    assert fmt == "mnist_csv"
    assert np.array_equal(raw.x_test, xt) and np.array_equal(raw.y_train, y)


def test_npz_with_keras_layout_is_detected_and_read(small, tmp_path):
    (x, y), (xt, yt) = small
    np.savez(tmp_path / "mnist.npz", x_train=x.reshape(-1, 28, 28), y_train=y, x_test=xt.reshape(-1, 28, 28), y_test=yt)
    fmt, files = find_files(tmp_path)
    raw = load_raw(fmt, files)
    assert fmt == "npz" and raw.x_train.shape == (200, 784)
    assert np.array_equal(raw.x_train, x)


def test_split_is_seeded_disjoint_float32_in_unit_range_and_keeps_test_apart(small, tmp_path):
    (x, y), (xt, yt) = small
    write_idx(tmp_path, {"train": x, "t10k": xt}, {"train": y, "t10k": yt})
    raw = load_raw(*find_files(tmp_path))
    train, val, test = split_dataset(raw, validation_size=40, rng=np.random.default_rng(3))
    again = split_dataset(raw, validation_size=40, rng=np.random.default_rng(3))
    assert len(train.y) == 160 and len(val.y) == 40 and len(test.y) == 50
    assert train.X.dtype == np.float32 and 0 <= train.X.min() and train.X.max() <= 1
    assert np.array_equal(val.X, again[1].X)
    assert np.array_equal(test.X * 255, xt.astype(np.float32))
    # Train and validation together are exactly the training images, each used once.
    together = np.concatenate([train.X, val.X]) * 255
    assert sorted(map(bytes, together.astype(np.uint8))) == sorted(map(bytes, x))


def test_kaggle_data_gets_a_test_set_held_out_of_train_csv(small, tmp_path):
    (x, y), _ = small
    kaggle_frame(x, y).to_csv(tmp_path / "train.csv", index=False)
    raw = load_raw(*find_files(tmp_path))
    train, val, test = split_dataset(raw, validation_size=30, rng=np.random.default_rng(0), test_size=50)
    assert (len(train.y), len(val.y), len(test.y)) == (120, 30, 50)


# ---- bad files: one clear line naming the file and the problem ----


def write_gz(path, data: bytes):
    path.write_bytes(gzip.compress(data))
    return path


def test_wrong_magic_number_is_named(tmp_path):
    path = write_gz(tmp_path / "train-images-idx3-ubyte.gz", idx_bytes(np.zeros(784), 0x801, (1, 28, 28)))
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: wrong magic number 0x00000801, expected 0x00000803"):
        read_idx_images(path)


def test_truncated_idx_file_is_reported_with_expected_and_actual_sizes(tmp_path):
    data = idx_bytes(np.zeros(3 * 784), 0x803, (3, 28, 28))[:-100]
    path = write_gz(tmp_path / "images.gz", data)
    with pytest.raises(DataError, match=r"images.gz: truncated: the header announces shape \(3, 28, 28\)"):
        read_idx_images(path)


def test_truncated_gzip_stream_is_reported_as_corrupt(tmp_path, mnist_path):
    raw = (mnist_path / "t10k-labels-idx1-ubyte.gz").read_bytes()
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError, match="cannot be decompressed.*corrupt or truncated"):
        read_idx_labels(path)


def test_image_and_label_counts_must_match(tmp_path, small):
    (x, y), (xt, yt) = small
    write_idx(tmp_path, {"train": x, "t10k": xt}, {"train": y[:-1], "t10k": yt})
    with pytest.raises(DataError, match=r"199 labels for 200 images"):
        load_raw(*find_files(tmp_path))


def test_empty_and_missing_files_are_named(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(DataError, match="empty: file is empty"):
        read_idx_images(tmp_path / "empty")
    with pytest.raises(DataError, match="nothere.gz: file not found"):
        read_idx_labels(tmp_path / "nothere.gz")
    (tmp_path / "train.csv").write_bytes(b"")
    with pytest.raises(DataError, match="train.csv: file is empty"):
        read_csv_digits(tmp_path / "train.csv")


def test_folder_without_data_lists_what_each_format_needs(tmp_path):
    with pytest.raises(DataError, match=r"no MNIST data found \(idx: no train-images-idx3-ubyte\[.gz\]"):
        find_files(tmp_path)


def test_csv_with_wrong_columns_is_rejected(tmp_path, small):
    (x, y), _ = small
    kaggle_frame(x, y).iloc[:, :701].to_csv(tmp_path / "train.csv", index=False)
    with pytest.raises(DataError, match="701 columns, expected 785"):
        read_csv_digits(tmp_path / "train.csv", has_labels=True)


def test_csv_with_non_numeric_pixel_names_the_row_and_column(tmp_path, small):
    (x, y), _ = small
    frame = kaggle_frame(x[:5], y[:5]).astype(object)
    frame.iat[3, 11] = "dark"
    frame.to_csv(tmp_path / "train.csv", index=False)
    with pytest.raises(DataError, match=r"non-numeric value 'dark' at data row 3, column 'pixel10'"):
        read_csv_digits(tmp_path / "train.csv")


@pytest.mark.parametrize("value", [256, -1, 12.5])
def test_csv_with_out_of_range_pixel_is_rejected(tmp_path, small, value):
    (x, y), _ = small
    frame = kaggle_frame(x[:5], y[:5]).astype(float)
    frame.iat[2, 100] = value
    frame.to_csv(tmp_path / "train.csv", index=False)
    with pytest.raises(DataError, match=r"at data row 2, column 99 is not an integer in 0..255"):
        read_csv_digits(tmp_path / "train.csv")


def test_csv_with_missing_pixel_is_rejected(tmp_path, small):
    (x, y), _ = small
    frame = kaggle_frame(x[:5], y[:5]).astype(float)
    frame.iat[4, 5] = np.nan
    frame.to_csv(tmp_path / "train.csv", index=False)
    with pytest.raises(DataError, match="missing or non-finite pixel value at data row 4"):
        read_csv_digits(tmp_path / "train.csv")


def test_label_outside_0_to_9_is_rejected(tmp_path, small):
    (x, y), _ = small
    bad = y[:5].copy()
    bad[1] = 12
    kaggle_frame(x[:5], bad).to_csv(tmp_path / "train.csv", index=False)
    with pytest.raises(DataError, match="label 12 at row 1 is not a digit 0-9"):
        read_csv_digits(tmp_path / "train.csv")


def test_npz_missing_arrays_are_listed(tmp_path):
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((2, 784)), y_train=np.zeros(2))
    with pytest.raises(DataError, match="missing arrays x_test, y_test"):
        read_npz_digits(tmp_path / "mnist.npz")


def test_file_that_is_not_an_npz_is_rejected(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"this is not a zip archive")
    with pytest.raises(DataError, match="mnist.npz: not a readable .npz file"):
        read_npz_digits(tmp_path / "mnist.npz")
