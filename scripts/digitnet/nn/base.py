"""The one contract every layer follows."""

import numpy as np

from digitnet.nn.parameter import Parameter


class Layer:
    """A step of the network: ``forward`` computes the output, ``backward`` its gradients.

    ``forward(X)`` keeps what ``backward`` will need (the cache) on the layer, so the
    two sit side by side and a model is just a list of layers.
    ``backward(dout)`` receives dL/d(output) and returns dL/d(input), writing the
    gradient of every parameter into ``Parameter.grad`` on the way. It never changes
    a parameter: that is the optimizer's job.
    """

    def parameters(self) -> list[Parameter]:
        """The layer's trainable arrays (none for activations)."""
        return []

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        """Return dL/dX, or None when ``need_dX`` is False (the first layer skips it)."""
        raise NotImplementedError

    def spec(self) -> dict:
        """A JSON-ready description from which the layer can be rebuilt."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
