"""Fine-tuning on a person's handwriting: what it learns from, how it is measured, and that it helps."""

import copy

import numpy as np

from bench import realsets
from data_helpers import read_real
from digitnet.data.prepare import normalize
from digitnet.finetune import (
    FinetuneSettings,
    Labelled,
    cross_validate,
    folds_within_writers,
    image_probabilities,
    labelled_digits,
    layer_changes,
    summary,
    tune,
)
from digitnet.image.plain import plain_digit
from digitnet.reading import Reading


def reading(kind: str, pieces: int, rows_per_piece: int = 2) -> Reading:
    n = pieces * rows_per_piece
    return Reading(
        kind=kind,
        pixels=np.arange(n * 784, dtype=np.float32).reshape(n, 784) / (n * 784),
        piece=np.repeat(np.arange(pieces), rows_per_piece),
        preparation=["x"] * n,
        boxes=np.zeros((pieces, 4), np.int64),
        rows=np.zeros(pieces, np.int64),
        ink=np.zeros(pieces, np.float32),
    )


def test_only_labelled_digits_are_learned_a_sheet_only_when_its_cut_gave_as_many_digits_as_its_label():
    readings = [reading("single", 1), reading("single", 1), reading("sheet", 3), reading("sheet", 2)]
    names = ["a_7.png", "unlabelled.png", "2026.png", "12345.png"]
    labels = {"a_7.png": "7", "2026.png": "026", "12345.png": "12345"}  # the last sheet was cut into 2 pieces, not 5
    digits = labelled_digits(readings, names, labels, ["anna", "anna", "ben", "ben"])
    assert digits.files == ["a_7.png", "2026.png (digit 1)", "2026.png (digit 2)", "2026.png (digit 3)"]
    assert digits.digits == [7, 0, 2, 6] and digits.writers == ["anna", "ben", "ben", "ben"]
    assert list(digits.label) == [7, 7, 0, 0, 2, 2, 6, 6] and list(digits.image) == [0, 0, 1, 1, 2, 2, 3, 3]


def test_each_writers_images_are_dealt_round_the_folds():
    writers = ["anna"] * 10 + ["ben"] * 7
    fold = folds_within_writers(writers, 5, np.random.default_rng(0))
    assert sorted(np.bincount(fold[:10])) == [2, 2, 2, 2, 2]
    assert sorted(np.bincount(fold[10:], minlength=5)) == [1, 1, 1, 2, 2]


def load_digits_as_labelled(count: int) -> Labelled:
    samples = realsets.sklearn_digits()[:count]
    pixels = np.stack([plain_digit(np.asarray(s.image, np.float32) / 255).pixels for s in samples])
    labels = np.array([int(s.label) for s in samples])
    writers = ["anna" if k % 2 else "ben" for k in range(count)]
    return Labelled(pixels, labels, np.arange(count), [s.name for s in samples], writers, list(labels))


def test_tuning_on_a_hand_helps_on_more_of_it_and_mnist_replayed_forgets_less(model_for_photos, mnist_path):
    X, y = read_real(mnist_path, "train", 4000)
    X_test, y_test = read_real(mnist_path, "t10k", 1000)
    X, X_test = normalize(X), normalize(X_test)
    digits = load_digits_as_labelled(400)
    learn, read = np.arange(200), np.arange(200, 400)
    truth = np.array(digits.digits)[read]
    tuned = {}
    for replay in (0.0, 0.5):
        tuned[replay] = copy.deepcopy(model_for_photos)
        settings = FinetuneSettings(epochs=3, lr=0.01, replay=replay)
        tune(tuned[replay], digits.pixels[learn], digits.label[learn], X, y, settings, np.random.default_rng(0))
    before = (image_probabilities(model_for_photos, digits, read).argmax(axis=1) == truth).mean()
    after = (image_probabilities(tuned[0.5], digits, read).argmax(axis=1) == truth).mean()
    assert after > before + 0.05, (before, after)
    mnist = {key: (m.predict_proba(X_test).argmax(axis=1) == y_test).mean() for key, m in [("before", model_for_photos), *tuned.items()]}
    assert mnist[0.5] > mnist[0.0], mnist  # replaying MNIST keeps more of it than tuning on the hand alone
    moved = layer_changes(model_for_photos, tuned[0.5])
    assert [m["layer"] for m in moved] == [p.name for p in model_for_photos.parameters() if p.value.ndim > 1]
    assert all(0 < m["change"] < 1 for m in moved)


def test_cross_validation_reads_each_image_with_a_network_that_never_learned_it(model_for_photos, mnist_path):
    X, y = read_real(mnist_path, "train", 2000)
    digits = load_digits_as_labelled(60)
    results = cross_validate(model_for_photos, digits, normalize(X), y, FinetuneSettings(epochs=2))
    assert set(results) == {"within", "new_writer"}
    out = summary(digits, results)
    assert out["within"]["images"] == 60 and [w["writer"] for w in out["within"]["writers"]] == ["anna", "ben"]
    fixed, broken = out["within"]["fixed"], out["within"]["broken"]
    assert out["within"]["after"] - out["within"]["before"] == len(fixed) - len(broken)
    assert all(f["after"] == f["label"] != f["before"] for f in fixed)


def test_a_label_the_network_reads_surely_as_another_digit_before_and_after_is_doubted():
    digits = Labelled(np.zeros((3, 784), np.float32), np.array([1, 4, 7]), np.arange(3), ["a", "b", "c"], ["", "", ""], [1, 4, 7])
    sure_nine = np.eye(10)[9] * 0.95 + 0.005
    right = [np.eye(10)[1], np.eye(10)[4], np.eye(10)[7]]
    results = {"within": {"before": np.array([right[0], sure_nine, right[2]]), "after": np.array([right[0], sure_nine, right[2]])}}
    assert summary(digits, results)["doubted"] == [{"file": "b", "label": 4, "read": 9, "confidence": np.float64(sure_nine.max())}]
