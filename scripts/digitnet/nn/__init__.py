"""The network's parts, one module each.

Conventions used throughout (and in every docstring):

- Data is batch-first: ``X`` has shape ``(N, D)`` for N samples of D features.
- A dense layer computes ``Z = X @ W + b`` with ``W : (D_in, D_out)`` and ``b : (D_out,)``.
- A gradient is named for what it differentiates: ``dX`` is dL/dX, ``dW`` is dL/dW.
- Arrays are float32 in training; the gradient checks run the same code in float64.
- Layers hold parameters and their gradients; only optimizers change parameters.
"""

from digitnet.nn.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from digitnet.nn.layers import Dense, Dropout, Layer
from digitnet.nn.losses import SoftmaxCrossEntropy, softmax
from digitnet.nn.optimizers import SGD, Adam, Optimizer
from digitnet.nn.parameter import Parameter

__all__ = [
    "Adam",
    "Dense",
    "Dropout",
    "Layer",
    "LeakyReLU",
    "Optimizer",
    "Parameter",
    "ReLU",
    "SGD",
    "Sigmoid",
    "SoftmaxCrossEntropy",
    "Tanh",
    "softmax",
]
