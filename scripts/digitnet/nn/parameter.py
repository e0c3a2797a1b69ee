"""A trainable array together with the gradient of the loss with respect to it."""

import numpy as np


class Parameter:
    """A named trainable array and its gradient.

    Attributes:
        name: where it lives, for example ``"dense0.W"``.
        value: the array itself, updated in place by an optimizer.
        grad: dL/dvalue, same shape and dtype as ``value``, written by ``backward``.
        decays: whether weight decay (L2) applies. By default an array of two or more axes
            (a weight matrix, a filter bank) decays and a vector (a bias) does not: shrinking
            a bias does not make the function smoother.
    """

    def __init__(self, name: str, value: np.ndarray, decays: bool | None = None) -> None:
        self.name = name
        self.value = value
        self.grad = np.zeros_like(value)
        self.decays = value.ndim > 1 if decays is None else decays

    def __repr__(self) -> str:
        return f"Parameter({self.name}, shape={self.value.shape}, dtype={self.value.dtype})"
