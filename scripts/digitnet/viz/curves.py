"""Training curves: how loss and accuracy evolve, epoch by epoch and batch by batch."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from digitnet.viz.style import TRAIN_COLOR, VALIDATION_COLOR, new_figure


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Moving average over ``window`` values: out[i] = mean(values[i - window + 1 .. i]).

    values : (T,) -> (T - window + 1,), computed from a cumulative sum in one pass.
    """
    window = max(1, min(window, len(values)))
    cumulative = np.cumsum(np.insert(values.astype(np.float64), 0, 0.0))
    return (cumulative[window:] - cumulative[:-window]) / window


def training_curves(history: pd.DataFrame, batch_losses: np.ndarray) -> Figure:
    """Loss (left) and accuracy (right) per epoch for training and validation data.

    history: one row per epoch with columns epoch, train_loss, val_loss, train_acc, val_acc.
    batch_losses : (steps,) the loss of every mini-batch, drawn faintly and smoothed,
    placed on the epoch axis so that step s of E * S lands at epoch s / S.
    """
    fig = new_figure(11, 4.2)
    loss_ax, acc_ax = fig.subplots(1, 2)
    steps_per_epoch = len(batch_losses) / max(1, len(history))
    window = max(1, int(steps_per_epoch // 4))
    smoothed = smooth(batch_losses, window)
    batch_x = (np.arange(len(smoothed)) + window) / steps_per_epoch
    loss_ax.plot(batch_x, smoothed, color=TRAIN_COLOR, alpha=0.3, lw=1, label=f"each batch (mean of {window})")
    loss_ax.plot(history["epoch"], history["train_loss"], "o-", color=TRAIN_COLOR, label="training (epoch mean)")
    loss_ax.plot(history["epoch"], history["val_loss"], "s-", color=VALIDATION_COLOR, label="validation")
    loss_ax.set_yscale("log")
    loss_ax.set(title="Cross-entropy loss", xlabel="epoch", ylabel="loss (log scale)")
    loss_ax.legend()
    acc_ax.plot(history["epoch"], 100 * history["train_acc"], "o-", color=TRAIN_COLOR, label="training")
    acc_ax.plot(history["epoch"], 100 * history["val_acc"], "s-", color=VALIDATION_COLOR, label="validation")
    acc_ax.set(title="Accuracy", xlabel="epoch", ylabel="accuracy (%)")
    acc_ax.legend(loc="lower right")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
    fig.suptitle("How the network learned: loss and accuracy per epoch")
    return fig
