"""Augmentation makes new digits that keep their pixel range and their label."""

import numpy as np
import pytest

from data_helpers import read_real
from digitnet.augment import AugmentSettings, augment_batch, change_stroke, gaussian_matrix
from digitnet.data.prepare import normalize
from digitnet.preprocess import center_of_mass

NOTHING = AugmentSettings(shift=0, rotation=0, scale=0, elastic_alpha=0)


@pytest.fixture(scope="module")
def digits(mnist_path):
    x, y = read_real(mnist_path, "t10k", 500)
    return normalize(x), y


def test_no_transform_returns_the_same_images(digits, rng):
    X, _ = digits
    assert np.array_equal(augment_batch(X[:20], rng, NOTHING), X[:20])


def test_augmented_images_keep_shape_dtype_and_the_unit_range(digits, rng):
    X, _ = digits
    out = augment_batch(X, rng, AugmentSettings(elastic_alpha=3.0))
    assert out.shape == X.shape and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    assert not np.array_equal(out, X)


def test_a_pure_shift_moves_the_center_of_mass_by_at_most_the_shift(digits, rng):
    X, _ = digits
    out = augment_batch(X[:50], rng, AugmentSettings(shift=2, rotation=0, scale=0, elastic_alpha=0))
    for before, after in zip(X[:50], out, strict=True):
        moved = np.subtract(center_of_mass(after.reshape(28, 28)), center_of_mass(before.reshape(28, 28)))
        assert np.abs(moved).max() <= 2.3  # 2 px, plus a little ink lost at the border


def test_the_same_generator_state_gives_the_same_augmentation(digits):
    X, _ = digits
    settings = AugmentSettings(elastic_alpha=2.0)
    a = augment_batch(X[:10], np.random.default_rng(5), settings)
    b = augment_batch(X[:10], np.random.default_rng(5), settings)
    assert np.array_equal(a, b)


def test_gently_augmented_digits_keep_their_labels_for_a_trained_network(digits, model_for_photos, rng):
    # A dense network trained without augmentation is thrown by shifts of 2 px (which is why
    # augmentation helps it); gentle transforms show that the digits themselves stay readable.
    X, y = digits
    original = (model_for_photos.predict_proba(X).argmax(axis=1) == y).mean()
    augmented = augment_batch(X, rng, AugmentSettings(shift=1, rotation=5, scale=0.05, elastic_alpha=1.0))
    kept = (model_for_photos.predict_proba(augmented).argmax(axis=1) == y).mean()
    print(f"accuracy on originals {original:.1%}, on augmented copies {kept:.1%}")
    assert kept >= original - 0.10


def test_gaussian_blur_matrix_rows_sum_to_one():
    G = gaussian_matrix(28, 3.0)
    assert np.allclose(G.sum(axis=1), 1) and G[14, 14] == G[14].max()


def test_stroke_change_widens_or_narrows_a_bar_by_its_amount():
    bar = np.zeros((3, 28, 28), np.float32)
    bar[:, 4:24, 12:16] = 1  # 4 px wide
    out = change_stroke(bar, np.array([1.0, -1.0, 0.5]))
    widths = (out > 0.5).sum(axis=2)[:, 14]
    assert list(widths) == [6, 2, 4]  # one full dilation, one full erosion, half a dilation (edges at 0.5)
    assert out[2, 14, 11] == pytest.approx(0.5) and out.max() <= 1 and out.min() >= 0


def test_augmentation_with_stroke_change_keeps_the_ink_range_and_varies_the_ink_amount(digits, rng):
    X, _ = digits
    out = augment_batch(X[:200], rng, AugmentSettings(shift=0, rotation=0, scale=0, stroke=1.0))
    ratio = out.sum(axis=1) / X[:200].sum(axis=1)
    assert out.min() >= 0 and out.max() <= 1
    assert ratio.min() < 0.8 and ratio.max() > 1.3  # thinner and thicker digits both appear


def test_a_share_of_the_batch_is_transformed_and_the_rest_returned_as_it_is(digits, rng):
    X, _ = digits
    out = augment_batch(X, rng, AugmentSettings(share=0.25))
    changed = (out != X).any(axis=1)
    assert 0.15 < changed.mean() < 0.35
    assert np.array_equal(out[~changed], X[~changed]) and out.dtype == X.dtype
