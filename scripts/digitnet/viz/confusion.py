"""The confusion matrix: which classes (digits, or clothes) are mistaken for which."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import new_figure


def confusion_figure(confusion: np.ndarray, accuracy: float, class_names: list[str] | None = None) -> Figure:
    """Draw C : (K, K), C[i, j] = test images of class i predicted as j; ``class_names`` label the axes (default 0..K-1).

    Colours are row-normalized (the share of each true class), so a rare and a
    frequent class are comparable; every cell is labelled with its count.
    """
    K = len(confusion)
    shares = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    fig = new_figure(6.4, 5.6)
    ax = fig.subplots()
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(K):
        for j in range(K):
            ax.text(
                j, i, str(confusion[i, j]), ha="center", va="center", fontsize=8, color="white" if shares[i, j] > 0.5 else "black"
            )
    names = class_names or [str(k) for k in range(K)]
    words = max(map(len, names)) > 2  # names, not digits: tilt them so they do not overlap
    ax.set(xlabel="predicted class", ylabel="true class")
    ax.set_xticks(range(K), names, rotation=40 if words else 0, ha="right" if words else "center")
    ax.set_yticks(range(K), names)
    ax.set_title(f"Confusion matrix on the test set (accuracy {accuracy:.2%})")
    fig.colorbar(image, ax=ax, label="share of the true class's images")
    return fig
