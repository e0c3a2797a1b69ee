"""Saliency: which pixels the winning score is most sensitive to."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import DIGIT_CMAP, new_figure, show_digit, show_signed, symmetric_limit


def saliency_figure(
    images: np.ndarray, saliencies: np.ndarray, labels: np.ndarray, predicted: np.ndarray, indices: np.ndarray
) -> Figure:
    """Per digit: the image, d(score of the predicted digit)/d(pixel), and the two overlaid.

    images, saliencies : (n, 784); labels, predicted, indices : (n,). The gradient is signed:
    red pixels, if inked more, raise the winning score; blue ones lower it. Each column
    has its own symmetric scale, since the gradients' size varies from digit to digit.
    """
    n = len(images)
    fig = new_figure(1.55 * n + 1.0, 5.6)
    axes = fig.subplots(3, n, squeeze=False)
    image = None
    for k in range(n):
        show_digit(axes[0, k], images[k], f"#{indices[k]}: said {predicted[k]}\n(true {labels[k]})", fontsize=9)
        limit = symmetric_limit(saliencies[k])
        image = show_signed(axes[1, k], saliencies[k].reshape(28, 28), limit)
        axes[2, k].imshow(images[k].reshape(28, 28), cmap=DIGIT_CMAP, vmin=0, vmax=1)
        axes[2, k].imshow(np.abs(saliencies[k]).reshape(28, 28), cmap="hot", alpha=0.6)
        axes[2, k].set_xticks([])
        axes[2, k].set_yticks([])
    axes[0, 0].set_ylabel("input")
    axes[1, 0].set_ylabel("gradient")
    axes[2, 0].set_ylabel("|gradient|\nover the digit")
    fig.colorbar(image, ax=axes[1, :].tolist(), shrink=0.8, label="d score / d pixel\n(scaled per digit)")
    fig.suptitle("Saliency: backpropagation carried to the pixels, $\\partial z_{predicted} / \\partial x$")
    return fig
