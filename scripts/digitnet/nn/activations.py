"""Elementwise activation functions, each with its derivative right under it.

Every activation maps ``Z : (N, D)`` (or feature maps ``(N, C, H, W)``) to ``A = f(Z)`` of the
same shape; its backward applies the chain rule elementwise, ``dZ = dA * f'(Z)``.
"""

import numpy as np

from digitnet.nn.base import Layer
from digitnet.nn.parallel import elementwise, in_order_of


def relu_into(Z: np.ndarray, A: np.ndarray, positive: np.ndarray) -> None:
    """A = max(0, Z) and positive = [Z > 0], written into the arrays given (all of one shape)."""
    np.greater(Z, 0, out=positive)
    np.maximum(Z, 0, out=A)


class ReLU(Layer):
    """Rectified linear unit.

    forward:  A = max(0, Z)
    backward: dZ = dA * [Z > 0]   (the derivative at exactly 0 is taken as 0)
    """

    def forward(self, Z: np.ndarray, training: bool = False) -> np.ndarray:
        A = np.empty_like(Z)  # in Z's memory order (batch-last after a convolution)
        self._positive = np.empty_like(Z, dtype=bool)  # all that backward needs
        elementwise(relu_into, [Z, A, self._positive])
        return A

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray:
        dA = in_order_of(dA, self._positive)  # after a Flatten, dA is batch-first and Z may not be
        dZ = np.empty_like(dA)
        elementwise(np.multiply, [dA, self._positive, dZ])  # dZ = dA * [Z > 0]
        return dZ

    def spec(self) -> dict:
        return {"type": "relu"}


class LeakyReLU(Layer):
    """ReLU with a small slope for negative inputs, so no unit is ever silent for good.

    forward:  A = Z if Z > 0 else alpha * Z
    backward: dZ = dA * (1 if Z > 0 else alpha)
    """

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = alpha

    def forward(self, Z: np.ndarray, training: bool = False) -> np.ndarray:
        self._slope = np.where(Z > 0, 1, self.alpha).astype(Z.dtype)  # (N, D)
        return Z * self._slope

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray:
        return dA * self._slope

    def spec(self) -> dict:
        return {"type": "leaky_relu", "alpha": self.alpha}

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Sigmoid(Layer):
    """Logistic sigmoid.

    forward:  A = 1 / (1 + exp(-Z))
    backward: dZ = dA * A * (1 - A)
    """

    def forward(self, Z: np.ndarray, training: bool = False) -> np.ndarray:
        # exp(-|Z|) never overflows; the two branches are the same function.
        e = np.exp(-np.abs(Z))
        A = np.where(Z >= 0, 1 / (1 + e), e / (1 + e)).astype(Z.dtype)
        self._A = A
        return A

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray:
        return dA * self._A * (1 - self._A)

    def spec(self) -> dict:
        return {"type": "sigmoid"}


class Tanh(Layer):
    """Hyperbolic tangent.

    forward:  A = tanh(Z)
    backward: dZ = dA * (1 - A^2)
    """

    def forward(self, Z: np.ndarray, training: bool = False) -> np.ndarray:
        self._A = np.tanh(Z)
        return self._A

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray:
        return dA * (1 - self._A * self._A)

    def spec(self) -> dict:
        return {"type": "tanh"}


ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh}
