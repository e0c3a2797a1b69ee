"""Small real training runs: they must learn, be reproducible, and stop clearly when they diverge."""

import numpy as np
import pytest

from data_helpers import read_real
from digitnet.data.prepare import normalize
from digitnet.errors import TrainingDiverged
from digitnet.metrics import accuracy, confusion_matrix, per_class_metrics
from digitnet.model import build_mlp, load_model, save_model
from digitnet.nn.optimizers import make_optimizer
from digitnet.nn.schedules import make_schedule
from digitnet.train import FitSettings, fit


@pytest.fixture(scope="module")
def digits(mnist_path):
    """6,000 real training digits, 500 for validation, and 1,000 real test digits."""
    x, y = read_real(mnist_path, "train", 6500)
    xt, yt = read_real(mnist_path, "t10k", 1000)
    return normalize(x[:6000]), y[:6000], normalize(x[6000:]), y[6000:], normalize(xt), yt


def train(digits, seed=0, epochs=8, optimizer="sgd", lr=0.1, hidden=(64,), dropout=0.0, l2=1e-4):
    X, y, X_val, y_val, _, _ = digits
    rng = np.random.default_rng(seed)
    model = build_mlp(784, list(hidden), 10, rng, dropout=dropout)
    opt = make_optimizer(model.parameters(), {"optimizer": optimizer, "momentum": 0.9})
    schedule = make_schedule({"name": "cosine"}, lr, steps_per_epoch=int(np.ceil(len(X) / 64)), epochs=epochs)
    history, batch_losses = fit(model, opt, schedule, X, y, X_val, y_val, FitSettings(epochs, 64, l2), rng)
    return model, history, batch_losses


@pytest.mark.parametrize(
    "settings",
    [
        {"optimizer": "sgd", "lr": 0.1},
        {"optimizer": "adam", "lr": 0.005},
        {"optimizer": "sgd", "lr": 0.1, "hidden": (64, 32), "dropout": 0.2},
    ],
    ids=["sgd-momentum", "adam", "two-layers-dropout"],
)
def test_eight_epochs_on_6000_digits_reach_90_percent_on_real_test_digits(digits, settings):
    model, history, batch_losses = train(digits, **settings)
    *_, X_test, y_test = digits
    assert accuracy(y_test, model.predict_proba(X_test).argmax(axis=1)) >= 0.90
    assert history[-1].train_loss < history[0].train_loss
    assert batch_losses.shape == (8 * 94,) and np.isfinite(batch_losses).all()


def test_same_seed_gives_identical_weights_and_another_seed_does_not(digits):
    first, _, _ = train(digits, seed=3, epochs=1, dropout=0.1)
    second, _, _ = train(digits, seed=3, epochs=1, dropout=0.1)
    other, _, _ = train(digits, seed=4, epochs=1, dropout=0.1)
    for a, b, c in zip(first.parameters(), second.parameters(), other.parameters(), strict=True):
        assert np.array_equal(a.value, b.value)
        assert not np.array_equal(a.value, c.value)


def test_weights_stay_float32_through_training(digits):
    model, _, _ = train(digits, epochs=1)
    assert all(p.value.dtype == np.float32 for p in model.parameters())


def test_too_high_learning_rate_stops_with_a_message_naming_it(digits):
    with pytest.raises(TrainingDiverged, match=r"loss became (nan|inf) at epoch 1.*learning rate is probably too high"):
        train(digits, lr=1e6, epochs=1)


def test_saved_model_reloads_without_pickle_and_predicts_the_same(digits, tmp_path):
    model, _, _ = train(digits, epochs=1, hidden=(32, 16), dropout=0.2)
    save_model(model, tmp_path / "weights.npz")
    loaded = load_model(tmp_path / "weights.npz")
    *_, X_test, _ = digits
    assert (
        repr(loaded)
        == repr(model)
        == "Sequential(Dense(784->32), ReLU(), Dropout(p=0.2), Dense(32->16), ReLU(), Dropout(p=0.2), Dense(16->10))"
    )
    assert np.array_equal(loaded.predict_proba(X_test), model.predict_proba(X_test))


def test_confusion_matrix_and_per_class_metrics_by_hand():
    y_true = np.array([0, 0, 1, 1, 1, 2])
    y_pred = np.array([0, 1, 1, 1, 0, 1])
    C = confusion_matrix(y_true, y_pred, 3)
    assert C.tolist() == [[1, 1, 0], [1, 2, 0], [0, 1, 0]]
    m = per_class_metrics(C)
    # precision of 1: 2 of the 4 predicted 1s; recall of 1: 2 of the 3 true 1s; class 2 never predicted
    assert m["precision"].tolist() == pytest.approx([0.5, 0.5, 0.0])
    assert m["recall"].tolist() == pytest.approx([0.5, 2 / 3, 0.0])
    assert m["support"].tolist() == [2, 3, 1]
