"""The mini-batch training loop.

One epoch visits every training sample once, in a fresh random order, in batches:

    Z = model(X_batch)                  forward, logits (B, K)
    L = cross_entropy(softmax(Z), y)    the mean loss over the batch
    dZ = (softmax(Z) - onehot(y)) / B   backward starts here ...
    model.backward(dZ)                  ... and fills every dW, db
    dW += l2 * W                        weight decay (the gradient of (l2/2) ||W||^2)
    optimizer.step(lr(t))               W <- W - lr * (update), the only write to W

The notebook this replaces used the whole training set as one batch: one update per
pass. Mini-batches give hundreds of (noisier) updates per pass, which is why a few
epochs here beat its 1,000 iterations.
"""

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from digitnet.errors import TrainingDiverged
from digitnet.metrics import accuracy
from digitnet.model import Sequential
from digitnet.nn.losses import SoftmaxCrossEntropy, add_l2_gradient
from digitnet.nn.optimizers import Optimizer


@dataclass
class EpochRecord:
    """One row of the training history.

    train_loss and train_acc are averages over the epoch's mini-batches as they were
    trained (cheap, and what the optimizer actually saw); val_* are measured on the
    held-out validation set after the epoch, in inference mode (no dropout).
    """

    epoch: int
    lr: float
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    seconds: float


def evaluate_loss_accuracy(model: Sequential, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` on X : (N, D), y : (N,)."""
    P = model.predict_proba(X)  # (N, K)
    # Clip so a probability that underflowed to 0 gives a large finite loss, not inf.
    loss = float(-np.log(np.clip(P[np.arange(len(y)), y], 1e-12, None)).mean())
    return loss, accuracy(y, P.argmax(axis=1))


@dataclass(frozen=True)
class FitSettings:
    """How ``fit`` trains: the train slice of config.yaml that the loop itself reads.

    ``augment(X_batch, rng)``, when given, replaces each batch by transformed copies
    (digitnet.augment) before it is trained on; ``l2`` is the weight decay coefficient.
    """

    epochs: int
    batch_size: int
    l2: float = 0.0
    augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None


@dataclass
class TrainingState:
    """Where training stands after ``epoch`` finished epochs: with the model, the optimizer
    and the random generator, all it takes to continue as if it had never stopped.

    batch_losses : (epochs * steps_per_epoch,) float32, filled for the finished epochs.
    """

    epoch: int
    history: list[EpochRecord]
    batch_losses: np.ndarray


def fit(
    model: Sequential,
    optimizer: Optimizer,
    schedule: Callable[[int], float],
    X: np.ndarray,
    y: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    settings: FitSettings,
    rng: np.random.Generator,
    on_epoch: Callable[[TrainingState], None] | None = None,
    resume: TrainingState | None = None,
) -> tuple[list[EpochRecord], np.ndarray]:
    """Train ``model`` in place; return the per-epoch history and every batch's loss.

    X : (N, D) float32 in [0, 1], y : (N,) integer labels; the same for the validation set.
    ``rng`` shuffles the data (and drives dropout and augmentation), so the same seed and
    config give the same weights. ``on_epoch(state)`` is called after every epoch (to
    report progress and save a checkpoint). ``resume``, a state saved after epoch k with
    the model, optimizer and ``rng`` restored to that moment, continues at epoch k + 1:
    every update, random draw and flush happens as in a run that never stopped.

    Returns (history, batch_losses) with batch_losses : (epochs * ceil(N / batch_size),).
    Raises TrainingDiverged as soon as a batch loss is NaN or infinite.
    """
    loss_fn = SoftmaxCrossEntropy()
    steps_per_epoch = math.ceil(len(X) / settings.batch_size)
    if resume is None:
        resume = TrainingState(0, [], np.empty(settings.epochs * steps_per_epoch, dtype=np.float32))
    state = TrainingState(resume.epoch, list(resume.history), resume.batch_losses.copy())
    # An overflow shows up as a non-finite loss, which train_epoch checks with a message
    # that says what to do; NumPy's own warnings would only repeat it less clearly.
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(state.epoch + 1, settings.epochs + 1):
            started = time.perf_counter()
            first_step = (epoch - 1) * steps_per_epoch
            epoch_losses = state.batch_losses[first_step : first_step + steps_per_epoch]  # a view, filled in place
            correct = train_epoch(model, loss_fn, optimizer, schedule, X, y, settings, rng, first_step, epoch_losses, epoch)
            optimizer.flush_subnormals()
            val_loss, val_acc = evaluate_loss_accuracy(model, X_val, y_val)
            state.history.append(
                EpochRecord(
                    epoch=epoch,
                    lr=schedule(first_step + steps_per_epoch - 1),
                    train_loss=float(epoch_losses.mean()),
                    train_acc=correct / len(X),
                    val_loss=val_loss,
                    val_acc=val_acc,
                    seconds=time.perf_counter() - started,
                )
            )
            state.epoch = epoch
            if on_epoch is not None:
                on_epoch(state)
    return state.history, state.batch_losses


def train_epoch(
    model: Sequential,
    loss_fn: SoftmaxCrossEntropy,
    optimizer: Optimizer,
    schedule: Callable[[int], float],
    X: np.ndarray,
    y: np.ndarray,
    settings: FitSettings,
    rng: np.random.Generator,
    first_step: int,
    losses: np.ndarray,
    epoch: int,
) -> int:
    """One pass over X : (N, D) in a random order; write each batch's loss into ``losses``.

    ``first_step`` is the global update count at the start of the epoch (for the
    schedule). Returns how many training samples were classified correctly as they
    were trained.
    """
    parameters = model.parameters()
    order = rng.permutation(len(X))
    correct = 0
    for batch_index, start in enumerate(range(0, len(X), settings.batch_size)):
        step = first_step + batch_index
        batch = order[start : start + settings.batch_size]
        X_batch, y_batch = X[batch], y[batch]  # (B, D), (B,)
        if settings.augment is not None:
            X_batch = settings.augment(X_batch, rng)
        logits = model.forward(X_batch, training=True)  # (B, K)
        loss = loss_fn.forward(logits, y_batch)
        if not math.isfinite(loss):
            raise TrainingDiverged(divergence_message(loss, epoch, batch_index + 1, schedule(step)))
        losses[batch_index] = loss
        correct += int((logits.argmax(axis=1) == y_batch).sum())
        model.backward(loss_fn.backward())
        add_l2_gradient(parameters, settings.l2)
        optimizer.step(schedule(step))
    return correct


def divergence_message(loss: float, epoch: int, batch: int, lr: float) -> str:
    """One line that says where training diverged and what to change."""
    return (
        f"training diverged: the loss became {loss} at epoch {epoch}, batch {batch}, "
        f"with learning rate {lr:g}; the learning rate is probably too high: "
        f"lower train.lr in config.yaml (try {lr / 10:g}) or add train.schedule.warmup_epochs"
    )


def format_epoch(record: EpochRecord, epochs: int) -> str:
    """A progress line such as 'epoch  3/30  lr 0.1950  train loss 0.1234 acc 96.50% ...'."""
    return (
        f"epoch {record.epoch:>{len(str(epochs))}}/{epochs}  lr {record.lr:.4f}  "
        f"train loss {record.train_loss:.4f} acc {record.train_acc:.2%}  "
        f"val loss {record.val_loss:.4f} acc {record.val_acc:.2%}  {record.seconds:.2f} s"
    )


def history_rows(history: list[EpochRecord]) -> list[dict]:
    """The history as plain dicts, one per epoch (for CSV and JSON)."""
    return [asdict(record) for record in history]
