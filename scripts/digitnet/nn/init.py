"""Weight initializers: draw W so that signals keep their scale from layer to layer.

Each returns ``W : (fan_in, fan_out)`` of the requested dtype, drawn from ``rng``.
"""

import numpy as np


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """He et al. (2015), for ReLU-like units: W ~ Normal(0, 2 / fan_in).

    ReLU zeroes half of its inputs on average; doubling the variance keeps
    Var(Z) the same in every layer.
    """
    std = np.sqrt(2.0 / fan_in)
    return (rng.standard_normal((fan_in, fan_out)) * std).astype(dtype)


def xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Glorot and Bengio (2010), for sigmoid and tanh: W ~ Uniform(-a, a), a = sqrt(6 / (fan_in + fan_out)).

    This gives Var(W) = 2 / (fan_in + fan_out), a compromise between keeping the
    forward signal and the backward gradient at the same scale.
    """
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


INITIALIZERS = {"he": he_normal, "xavier": xavier_uniform}

# The initializer that suits each activation, used when the config says "auto".
DEFAULT_INIT = {"relu": "he", "leaky_relu": "he", "sigmoid": "xavier", "tanh": "xavier"}
