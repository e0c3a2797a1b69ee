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


class Activation(Layer):
    """An elementwise function A = f(Z) with its derivative f'(Z), described for the reader.

    ``formula`` gives f in symbols, ``derivative`` f' in symbols and ``derivative_words``
    what the backward pass does with it, for figures and explain.md.
    """

    role = "activation"
    derivative: str = ""
    derivative_words: str = ""


class ReLU(Activation):
    """Rectified linear unit.

    forward:  A = max(0, Z)
    backward: dZ = dA * [Z > 0]   (the derivative at exactly 0 is taken as 0)
    """

    type = "relu"
    words = "keeps positive values and sets negative ones to 0"
    formula = "A = max(0, Z)"
    derivative = "f'(Z) = 1 if Z > 0, else 0"
    derivative_words = "1 where the unit was active (Z > 0), 0 where it was not: the gradient passes through active units only"

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


class LeakyReLU(Activation):
    """ReLU with a small slope for negative inputs, so no unit is ever silent for good.

    forward:  A = Z if Z > 0 else alpha * Z
    backward: dZ = dA * (1 if Z > 0 else alpha)
    """

    type = "leaky_relu"
    words = "keeps positive values and multiplies negative ones by a small slope alpha"
    formula = "A = Z if Z > 0, else alpha * Z"
    derivative = "f'(Z) = 1 if Z > 0, else alpha"

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = alpha

    @property
    def derivative_words(self) -> str:
        return (
            f"1 where the unit was active (Z > 0), alpha = {self.alpha:g} where it was not: "
            "the gradient passes through every unit, scaled down for the inactive ones"
        )

    @classmethod
    def from_config(cls, entry: dict, in_shape, rng, name, dtype) -> "LeakyReLU":
        return cls(entry.get("alpha", 0.01))

    def forward(self, Z: np.ndarray, training: bool = False) -> np.ndarray:
        self._slope = np.where(Z > 0, 1, self.alpha).astype(Z.dtype)  # (N, D)
        return Z * self._slope

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray:
        return dA * self._slope

    def spec(self) -> dict:
        return {"type": "leaky_relu", "alpha": self.alpha}

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Sigmoid(Activation):
    """Logistic sigmoid.

    forward:  A = 1 / (1 + exp(-Z))
    backward: dZ = dA * A * (1 - A)
    """

    type = "sigmoid"
    words = "squashes every value into (0, 1)"
    formula = "A = 1 / (1 + exp(-Z))"
    derivative = "f'(Z) = A * (1 - A)"
    derivative_words = (
        "at most 0.25 (where Z = 0) and near 0 where the unit is saturated (A close to 0 or 1): "
        "the gradient shrinks by at least 4 times in every sigmoid layer"
    )

    def forward(self, Z: np.ndarray, training: bool = False) -> np.ndarray:
        # exp(-|Z|) never overflows; the two branches are the same function.
        e = np.exp(-np.abs(Z))
        A = np.where(Z >= 0, 1 / (1 + e), e / (1 + e)).astype(Z.dtype)
        self._A = A
        return A

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray:
        return dA * self._A * (1 - self._A)


class Tanh(Activation):
    """Hyperbolic tangent.

    forward:  A = tanh(Z)
    backward: dZ = dA * (1 - A^2)
    """

    type = "tanh"
    words = "squashes every value into (-1, 1), keeping its sign"
    formula = "A = tanh(Z)"
    derivative = "f'(Z) = 1 - A^2"
    derivative_words = (
        "at most 1 (where Z = 0) and near 0 where the unit is saturated (A close to -1 or 1): "
        "the gradient passes through small values and is held back at large ones"
    )

    def forward(self, Z: np.ndarray, training: bool = False) -> np.ndarray:
        self._A = np.tanh(Z)
        return self._A

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray:
        return dA * (1 - self._A * self._A)


def activation_types() -> dict[str, type[Activation]]:
    """Every registered activation by its config name: {"relu": ReLU, ...}."""
    return {name: cls for name, cls in Layer.registry.items() if issubclass(cls, Activation)}


ACTIVATIONS = activation_types()
