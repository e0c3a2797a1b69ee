"""Predictions on test digits, and the mistakes the network is most sure of."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import CORRECT_COLOR, MISTAKE_COLOR, new_figure, probability_bars, titled_mosaic


def choose_examples(labels: np.ndarray, predicted: np.ndarray, count: int, mistakes: int) -> np.ndarray:
    """Indices of ``count`` test digits: the first ones, with up to ``mistakes`` of the first mistakes swapped in.

    Most of the grid shows how often the network is right; the mistakes show how it fails.
    """
    wrong = np.flatnonzero(labels != predicted)[:mistakes]
    first = np.setdiff1d(np.arange(min(count, len(labels))), wrong)[: count - len(wrong)]
    return np.sort(np.concatenate([first, wrong]))


def predictions_figure(
    images: np.ndarray,
    labels: np.ndarray,
    predicted: np.ndarray,
    confidence: np.ndarray,
    digit: int,
    P_digit: np.ndarray,
    class_names: list[str] | None = None,
) -> Figure:
    """A grid of test images titled 'prediction (confidence)', mistakes framed in red, and the
    probability bars for test image #``digit``.

    images : (n, 784) of the chosen examples; labels, predicted, confidence : (n,); P_digit : (10,).
    class_names : what each label means (None: the digits themselves).
    """
    names = class_names or [str(k) for k in range(10)]
    rows, cols = 5, 8
    fig = new_figure(15, 8.2)
    grid = fig.add_gridspec(rows, cols + 4)
    n = min(len(images), rows * cols)
    correct = labels[:n] == predicted[:n]
    titles = [
        f"{names[predicted[k]]} ({confidence[k]:.0%})" + ("" if correct[k] else f"\ntrue {names[labels[k]]}") for k in range(n)
    ]
    colors = [CORRECT_COLOR if right else MISTAKE_COLOR for right in correct]
    titled_mosaic(fig.add_subplot(grid[:, :cols]), images[:n], cols, titles, colors, ~correct)
    bars_ax = fig.add_subplot(grid[1:4, cols + 1 :])
    probability_bars(bars_ax, P_digit, None, f"test image #{digit}: probability of each class", class_names)
    fig.suptitle("Predictions on test images: answer (confidence); mistakes in red with the true class")
    return fig


def mistakes_figure(
    images: np.ndarray,
    labels: np.ndarray,
    predicted: np.ndarray,
    confidence: np.ndarray,
    total_mistakes: int,
    class_names: list[str] | None = None,
) -> Figure:
    """The most confident mistakes, most confident first: images : (n, 784), the rest (n,).

    These are the digits the network is surest about and still gets wrong: often
    ambiguous or mislabelled, sometimes a real blind spot.
    """
    names = class_names or [str(k) for k in range(10)]
    cols = 8
    rows = max(1, int(np.ceil(len(images) / cols)))
    fig = new_figure(13, 1.75 * rows + 0.8)
    titles = [f"said {names[predicted[k]]} ({confidence[k]:.0%})\ntrue {names[labels[k]]}" for k in range(len(images))]
    titled_mosaic(fig.subplots(), images, cols, titles, [MISTAKE_COLOR] * len(images), np.zeros(len(images), bool))
    fig.suptitle(f"The {len(images)} most confident of the {total_mistakes} mistakes on the test set")
    return fig
