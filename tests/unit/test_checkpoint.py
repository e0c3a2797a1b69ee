"""Checkpoints: a run stopped after an epoch and resumed ends byte-identical; bad checkpoints are never trusted."""

import logging
from functools import partial

import numpy as np
import pytest

from digitnet.augment import AugmentSettings, augment_batch
from digitnet.checkpoint import checkpoint_key, load_checkpoint, remove_checkpoint, save_checkpoint
from digitnet.model import build_mlp
from digitnet.nn.optimizers import make_optimizer
from digitnet.nn.schedules import make_schedule
from digitnet.train import FitSettings, fit

EPOCHS, BATCH = 4, 32
KEY = "0" * 64


class Stop(Exception):
    """Raised by a callback to end training after an epoch, as an interruption would."""


def digits():
    """240 random 'images' (240, 784) in [0, 1] with labels (240,): enough to take real steps."""
    data_rng = np.random.default_rng(7)
    X = data_rng.random((240, 784), dtype=np.float32)
    return X, data_rng.integers(0, 10, 240), X[:40], data_rng.integers(0, 10, 40)


def setup(optimizer: str):
    """A fresh (model, optimizer, schedule, settings, rng) from seed 0, with dropout and augmentation."""
    rng = np.random.default_rng(0)
    model = build_mlp(784, [32], 10, rng, dropout=0.2)
    optimizer = make_optimizer(model.parameters(), {"optimizer": optimizer, "momentum": 0.9})
    schedule = make_schedule({"name": "cosine", "warmup_epochs": 1}, 0.05, steps_per_epoch=8, epochs=EPOCHS)
    augment = partial(augment_batch, settings=AugmentSettings(shift=2.0, rotation=10.0, scale=0.1))
    return model, optimizer, schedule, FitSettings(EPOCHS, BATCH, l2=1e-3, augment=augment), rng


def weights_bytes(model) -> bytes:
    return b"".join(p.value.tobytes() for p in model.parameters())


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_training_stopped_after_an_epoch_and_resumed_ends_with_the_same_bytes(optimizer, tmp_path):
    data = digits()
    model, opt, schedule, settings, rng = setup(optimizer)
    history, losses = fit(model, opt, schedule, *data, settings, rng)

    path = tmp_path / "checkpoint.npz"
    model2, opt2, schedule2, settings2, rng2 = setup(optimizer)

    def save_then_stop(state):
        save_checkpoint(path, KEY, model2, opt2, rng2, state)
        if state.epoch == 2:
            raise Stop

    with pytest.raises(Stop):
        fit(model2, opt2, schedule2, *data, settings2, rng2, on_epoch=save_then_stop)

    model3, opt3, schedule3, settings3, rng3 = setup(optimizer)
    state = load_checkpoint(path, KEY, model3, opt3, rng3, logging.getLogger("test"))
    assert state is not None and state.epoch == 2
    resumed_history, resumed_losses = fit(model3, opt3, schedule3, *data, settings3, rng3, resume=state)
    assert weights_bytes(model3) == weights_bytes(model)
    assert weights_bytes(model3) != weights_bytes(setup(optimizer)[0])
    assert resumed_losses.tobytes() == losses.tobytes()
    assert [r.val_loss for r in resumed_history] == [r.val_loss for r in history]


@pytest.fixture
def saved(tmp_path):
    """A checkpoint after one epoch of SGD, and the path it is at."""
    model, opt, schedule, settings, rng = setup("sgd")
    path = tmp_path / "checkpoints" / "checkpoint.npz"
    fit(
        model,
        opt,
        schedule,
        *digits(),
        FitSettings(1, BATCH),
        rng,
        on_epoch=lambda s: save_checkpoint(path, KEY, model, opt, rng, s),
    )
    return path


def test_a_checkpoint_made_with_other_settings_is_not_used(saved, caplog):
    model, opt, _, _, rng = setup("sgd")
    before, rng_before = weights_bytes(model), rng.bit_generator.state
    with caplog.at_level(logging.INFO):
        assert load_checkpoint(saved, "1" * 64, model, opt, rng, logging.getLogger("test")) is None
    assert "made with other data, settings or code: not used" in caplog.text
    assert weights_bytes(model) == before and rng.bit_generator.state == rng_before


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated mid-write by a full disk
        lambda raw: b"garbage" * 100,  # overwritten
        lambda raw: raw.replace(b"param.dense0.W", b"param.dense9.W"),  # an array missing
    ],
    ids=["truncated", "overwritten", "array-missing"],
)
def test_a_damaged_checkpoint_is_ignored_with_a_warning_and_deleted(saved, damage, caplog):
    saved.write_bytes(damage(saved.read_bytes()))
    model, opt, _, _, rng = setup("sgd")
    before, rng_before = weights_bytes(model), rng.bit_generator.state
    assert load_checkpoint(saved, KEY, model, opt, rng, logging.getLogger("test")) is None
    assert f"warning: {saved}: unreadable checkpoint ignored" in caplog.text
    assert "training starts at epoch 1" in caplog.text
    assert weights_bytes(model) == before and rng.bit_generator.state == rng_before
    assert not saved.exists()


def test_a_checkpoint_holding_python_objects_is_refused_unread(saved, caplog):
    np.savez(saved, key=np.array([object()], dtype=object))
    model, opt, _, _, rng = setup("sgd")
    assert load_checkpoint(saved, KEY, model, opt, rng, logging.getLogger("test")) is None
    assert "refused unread: it holds pickled Python objects" in caplog.text


def test_the_key_changes_with_data_settings_and_code(tmp_path):
    data, code = tmp_path / "train.npz", tmp_path / "code"
    code.mkdir()
    data.write_bytes(b"digits")
    (code / "train.py").write_text("lr = 0.1\n")
    key = checkpoint_key([data], {"lr": 0.1}, code)
    assert checkpoint_key([data], {"lr": 0.1}, code) == key
    assert checkpoint_key([data], {"lr": 0.2}, code) != key
    (code / "train.py").write_text("lr = 0.2\n")
    assert checkpoint_key([data], {"lr": 0.1}, code) != key
    (code / "train.py").write_text("lr = 0.1\n")
    data.write_bytes(b"digitz")
    assert checkpoint_key([data], {"lr": 0.1}, code) != key


def test_removing_a_checkpoint_removes_the_folders_it_leaves_empty(tmp_path):
    path = tmp_path / "results" / "checkpoints" / "mnist" / "mlp" / "checkpoint.npz"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    (tmp_path / "results" / "keep.txt").write_text("other results")
    remove_checkpoint(path)
    assert not (tmp_path / "results" / "checkpoints").exists()
    assert (tmp_path / "results" / "keep.txt").exists()
