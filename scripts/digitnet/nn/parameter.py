"""A trainable array together with the gradient of the loss with respect to it."""

import numpy as np


class Parameter:
    """A named trainable array and its gradient.

    Attributes:
        name: where it lives, for example ``"dense0.W"``.
        value: the array itself, updated in place by an optimizer.
        grad: dL/dvalue, same shape and dtype as ``value``, written by ``backward``.
    """

    def __init__(self, name: str, value: np.ndarray) -> None:
        self.name = name
        self.value = value
        self.grad = np.zeros_like(value)

    def __repr__(self) -> str:
        return f"Parameter({self.name}, shape={self.value.shape}, dtype={self.value.dtype})"
