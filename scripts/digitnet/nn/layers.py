"""Layers with parameters or randomness: Dense and Dropout."""

import numpy as np

from digitnet.nn.base import Layer
from digitnet.nn.init import INITIALIZERS
from digitnet.nn.parameter import Parameter


class Dense(Layer):
    """A fully connected layer.

    forward:  Z = X @ W + b             X : (N, D_in), W : (D_in, D_out), b : (D_out,), Z : (N, D_out)
    backward: dW = X^T @ dZ             (D_in, D_out)
              db = sum over the batch of dZ    (D_out,)
              dX = dZ @ W^T             (N, D_in)

    The loss is a mean over the batch, so the 1/N is already inside dZ.
    """

    type = "dense"
    role = "weights"
    input_rank = 1
    name_prefix = "dense"
    words = "each unit adds up all its inputs, each times its own weight, plus a bias"
    formula = "Z = X W + b"

    def __init__(self, W: np.ndarray, b: np.ndarray, name: str = "dense") -> None:
        self.W = Parameter(f"{name}.W", W)
        self.b = Parameter(f"{name}.b", b)
        self.name = name

    @classmethod
    def create(cls, fan_in: int, fan_out: int, init, rng: np.random.Generator, name: str = "dense", dtype=np.float32) -> "Dense":
        """A new layer with ``W = init(fan_in, fan_out, rng)`` and ``b = 0``."""
        return cls(init(fan_in, fan_out, rng, dtype=dtype), np.zeros(fan_out, dtype=dtype), name=name)

    @classmethod
    def from_config(cls, entry: dict, in_shape: tuple[int, ...], rng: np.random.Generator, name: str, dtype) -> "Dense":
        """{"type": "dense", "units": 128, "init": "he"} reading vectors of in_shape = (D_in,);
        ``init`` ("he" or "xavier") defaults to He, suited to the ReLU family."""
        return cls.create(in_shape[0], entry["units"], INITIALIZERS[entry.get("init", "he")], rng, name=name, dtype=dtype)

    @classmethod
    def from_spec(cls, entry: dict, arrays, rng: np.random.Generator, name: str) -> "Dense":
        return cls(arrays[f"{name}.W"], arrays[f"{name}.b"], name=name)

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (int(self.W.value.shape[1]),)

    def known_input_shape(self) -> tuple[int, ...]:
        return (int(self.W.value.shape[0]),)

    def parameters(self) -> list[Parameter]:
        return [self.W, self.b]

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        self._X = X  # (N, D_in), kept for dW
        Z = X @ self.W.value
        Z += self.b.value  # in place: one pass over Z instead of a new array
        return Z

    def backward(self, dZ: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        # Write into the existing gradient arrays: no new allocation per step.
        np.matmul(self._X.T, dZ, out=self.W.grad)
        np.sum(dZ, axis=0, out=self.b.grad)
        # The first layer's dX (the gradient for the pixels) is not needed for
        # training; skipping it saves a third of that layer's work.
        return dZ @ self.W.value.T if need_dX else None

    def spec(self) -> dict:
        fan_in, fan_out = self.W.value.shape
        return {"type": self.type, "in": int(fan_in), "out": int(fan_out)}

    def __repr__(self) -> str:
        fan_in, fan_out = self.W.value.shape
        return f"Dense({fan_in}->{fan_out})"


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014), active only while training.

    forward (training):  A = X * M / (1 - p),  M ~ Bernoulli(1 - p) elementwise, X, M, A : (N, D)
    forward (inference): A = X
    backward:            dX = dA * M / (1 - p)

    Scaling by 1/(1 - p) while training keeps E[A] = X, so inference needs no change.
    """

    type = "dropout"
    role = "dropout"
    words = "sets each value to 0 with probability p while training and scales the rest by 1 / (1 - p); at test time it passes everything through"
    formula = "A = X * M / (1 - p), M ~ Bernoulli(1 - p)"
    backward_words = "the gradient passes through the kept values only, scaled by 1 / (1 - p) as they were"

    def __init__(self, p: float, rng: np.random.Generator) -> None:
        if not 0 <= p < 1:
            raise ValueError(f"dropout rate must be in [0, 1), got {p}")
        self.p = p
        self.rng = rng

    @classmethod
    def from_config(cls, entry: dict, in_shape, rng: np.random.Generator, name, dtype) -> "Dropout":
        """{"type": "dropout", "p": 0.2}; ``rng`` draws the masks while training."""
        return cls(entry["p"], rng)

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.p == 0:
            self._scale = None
            return X
        keep = self.rng.random(X.shape, dtype=np.float32) >= self.p
        self._scale = keep.astype(X.dtype) / X.dtype.type(1 - self.p)  # (N, D)
        return X * self._scale

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray:
        return dA if self._scale is None else dA * self._scale

    def label(self) -> str:
        return f"dropout, p = {self.p}"

    def spec(self) -> dict:
        return {"type": "dropout", "p": self.p}

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"
