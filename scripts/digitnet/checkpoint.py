"""Checkpoints: training saved after every epoch, so an interrupted run continues where it stopped.

A checkpoint is one .npz file holding everything the training loop carries from one
epoch to the next: the parameters, the optimizer's state (velocities or Adam moments
and its step count), the random generator's state (which drives shuffling, dropout and
augmentation), the history and the batch losses so far. Restored, the loop continues
exactly as if it had never stopped, so the final weights are byte-identical to an
uninterrupted run's (at the same BLAS thread count).

It is stamped with a key: a hash of everything that decides the result (the data files,
the model and train settings, the library's source code and NumPy's version). A
checkpoint with another key is never used, and one that cannot be read is ignored with
a warning and training starts over.
"""

import hashlib
import json
import logging
from pathlib import Path

import numpy as np

from digitnet.errors import DamagedFile, DataError
from digitnet.files import read_npz
from digitnet.model import Sequential
from digitnet.nn.optimizers import Optimizer
from digitnet.step import atomic_path
from digitnet.train import EpochRecord, TrainingState, history_rows

WHAT = "a digitnet checkpoint"
FIXED_KEYS = ("key", "epoch", "rng", "history", "batch_losses")


def checkpoint_key(data_files: list, settings: dict, code_folder: Path) -> str:
    """SHA-256 over the data files' bytes, the settings (as sorted JSON), the code and NumPy's version.

    ``code_folder`` is the library's package folder: every .py file under it counts, so
    any change to the code that trains makes older checkpoints unusable.
    """
    digest = hashlib.sha256()
    for path in map(Path, data_files):
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for source in sorted(Path(code_folder).rglob("*.py")):
        digest.update(source.relative_to(code_folder).as_posix().encode())
        digest.update(source.read_bytes())
    digest.update(np.__version__.encode())
    return digest.hexdigest()


def optimizer_arrays(optimizer: Optimizer) -> dict[str, np.ndarray]:
    """The optimizer's state as named arrays: each state buffer, and Adam's step count t."""
    arrays = {f"optimizer.{i}": buffer for i, buffer in enumerate(optimizer.state_buffers())}
    if hasattr(optimizer, "t"):
        arrays["optimizer.t"] = np.array(optimizer.t)
    return arrays


def save_checkpoint(
    path, key: str, model: Sequential, optimizer: Optimizer, rng: np.random.Generator, state: TrainingState
) -> None:
    """Write the training state after ``state.epoch`` epochs to ``path``, atomically (see the module docstring)."""
    arrays = {
        "key": np.array(key),
        "epoch": np.array(state.epoch),
        "rng": np.array(json.dumps(rng.bit_generator.state)),
        "history": np.array(json.dumps(history_rows(state.history))),
        "batch_losses": state.batch_losses,
        **{f"param.{p.name}": p.value for p in model.parameters()},
        **optimizer_arrays(optimizer),
    }
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, **arrays)


def load_checkpoint(
    path, key: str, model: Sequential, optimizer: Optimizer, rng: np.random.Generator, log: logging.Logger
) -> TrainingState | None:
    """Restore ``model``, ``optimizer`` and ``rng`` from the checkpoint at ``path``; return where training stands.

    Returns None, leaving everything untouched, when there is no checkpoint, when it was
    made with another key (other data, settings or code: not used), or when it cannot be
    read or does not fit this model (a warning in the log; the file is deleted).
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = read_npz(path, required=FIXED_KEYS, what=WHAT)
        if str(data["key"]) != key:
            log.info(f"{path} was made with other data, settings or code: not used; training starts at epoch 1")
            return None
        state = TrainingState(
            epoch=int(data["epoch"]),
            history=[EpochRecord(**row) for row in json.loads(str(data["history"]))],
            batch_losses=data["batch_losses"],
        )
        targets = {f"param.{p.name}": p.value for p in model.parameters()} | optimizer_arrays(optimizer)
        check_fits(data, targets, state)
        # Last, as it changes the generator: it fails for a state of another kind of generator.
        rng.bit_generator.state = json.loads(str(data["rng"]))
    except (DataError, ValueError, TypeError, KeyError) as error:
        reason = error.problem if isinstance(error, DamagedFile) else error
        log.warning(f"warning: {path}: unreadable checkpoint ignored ({reason}); training starts at epoch 1")
        path.unlink(missing_ok=True)
        return None
    # Only now, with everything checked, are the arrays changed: copied in place, because
    # layers and the optimizer hold references to these very arrays.
    for name, target in targets.items():
        if name == "optimizer.t":
            optimizer.t = int(data[name])
        else:
            target[...] = data[name]
    return state


def check_fits(data: dict[str, np.ndarray], targets: dict[str, np.ndarray], state: TrainingState) -> None:
    """Raise ValueError unless ``data`` holds an array of the right shape and dtype for every target."""
    for name, target in targets.items():
        if name not in data or data[name].shape != target.shape or data[name].dtype != target.dtype:
            raise ValueError(f"{name!r} is missing or does not fit the model")
    if len(state.history) != state.epoch or state.epoch < 0:
        raise ValueError(f"its history has {len(state.history)} epochs, not {state.epoch}")


def remove_checkpoint(path) -> None:
    """Delete the checkpoint at ``path`` and the folders above it that it leaves empty, up to results/."""
    path = Path(path)
    path.unlink(missing_ok=True)
    for folder in path.parents:
        if folder.name in ("", "results") or not folder.is_dir() or any(folder.iterdir()):
            break
        folder.rmdir()
