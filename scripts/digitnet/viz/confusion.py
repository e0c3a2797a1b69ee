"""The confusion matrix: which digits are mistaken for which."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import new_figure


def confusion_figure(confusion: np.ndarray, accuracy: float) -> Figure:
    """Draw C : (K, K), C[i, j] = test images of digit i predicted as j.

    Colours are row-normalized (the share of each true digit), so a rare and a
    frequent digit are comparable; every cell is labelled with its count.
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
    ax.set(xticks=range(K), yticks=range(K), xlabel="predicted digit", ylabel="true digit")
    ax.set_title(f"Confusion matrix on the test set (accuracy {accuracy:.2%})")
    fig.colorbar(image, ax=ax, label="share of the true digit's images")
    return fig
