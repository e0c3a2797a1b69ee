"""Data augmentation, seen: a few training digits and the new digits made from them."""

from dataclasses import replace

import numpy as np
from matplotlib.figure import Figure

from digitnet.augment import AugmentSettings, augment_batch
from digitnet.viz.style import new_figure, show_digit

# Elastic distortion shown at this strength when the run's setting switches it off.
DEMO_ELASTIC_ALPHA = 2.0


def augmented_digits(
    X: np.ndarray, y: np.ndarray, settings: AugmentSettings, enabled: bool, rng: np.random.Generator, rows: int = 6
) -> Figure:
    """One row per digit: the original, each transform alone, then three with all of them.

    X : (N, 784) training images in [0, 1], y : (N,) labels; the first image of each of the
    first ``rows`` classes is shown. ``settings`` are the ranges of train.augment; each
    transform alone is drawn at a random value within its range (elastic distortion at
    strength 2 when the run has it off), so the columns show what each one does.
    """
    picks = [int(np.flatnonzero(y == label)[0]) for label in np.unique(y)[:rows]]
    elastic_alpha = settings.elastic_alpha or DEMO_ELASTIC_ALPHA
    alone = {
        f"shift (up to {settings.shift:g} px)": AugmentSettings(settings.shift, 0.0, 0.0, 0.0),
        f"rotation (up to {settings.rotation:g} deg)": AugmentSettings(0.0, settings.rotation, 0.0, 0.0),
        f"zoom (up to {settings.scale:.0%})": AugmentSettings(0.0, 0.0, settings.scale, 0.0),
        f"elastic (alpha {elastic_alpha:g})": AugmentSettings(0.0, 0.0, 0.0, elastic_alpha, settings.elastic_sigma),
    }
    columns = [("original", None), *alone.items(), *[("all together", replace(settings))] * 3]
    fig = new_figure(1.35 * len(columns) + 0.4, 1.35 * len(picks) + 1.0)
    axes = np.atleast_2d(fig.subplots(len(picks), len(columns)))
    originals = X[picks]  # (rows, 784)
    for col, (title, column_settings) in enumerate(columns):
        images = originals if column_settings is None else augment_batch(originals, rng, column_settings)
        for row in range(len(picks)):
            show_digit(axes[row, col], images[row], title if row == 0 else None, fontsize=8)
    used = "used on every training batch" if enabled else "off for the featured model (train.augment.enabled: false)"
    fig.suptitle(f"New training images from old: random shifts, rotations, zooms and elastic distortions\n({used})")
    return fig
