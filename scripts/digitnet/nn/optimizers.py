"""Optimizers: each owns its state (velocities, moments) and alone changes parameters.

All updates are written in place into the parameter arrays and into preallocated
state buffers: for wide layers the elementwise update costs as much as the matrix
products, and temporaries would double it.
"""

import numpy as np

from digitnet.nn.parameter import Parameter

# Below this, momentum and moment buffers decay into subnormal floats, which the CPU
# handles dozens of times slower; such values are flushed to zero once an epoch.
SUBNORMAL_FLOOR = 1e-30


class Optimizer:
    """Updates ``Parameter.value`` from ``Parameter.grad``; ``step(lr)`` applies one update."""

    def __init__(self, params: list[Parameter]) -> None:
        self.params = params

    def step(self, lr: float) -> None:
        raise NotImplementedError

    def state_buffers(self) -> list[np.ndarray]:
        """The arrays of state the optimizer keeps (for flushing and inspection)."""
        return []

    def flush_subnormals(self) -> None:
        """Set state values smaller than ``SUBNORMAL_FLOOR`` in magnitude to exactly 0."""
        for buffer in self.state_buffers():
            buffer[np.abs(buffer) < SUBNORMAL_FLOOR] = 0


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Plain (momentum = 0):  W <- W - lr * g
    Momentum mu:           v <- mu * v + g
                           W <- W - lr * v
    Nesterov:              v <- mu * v + g
                           W <- W - lr * (g + mu * v)

    with g = dL/dW. This is the form PyTorch uses (v accumulates gradients, lr is
    applied at the update), so both frameworks follow the same path for the same
    hyper-parameters, and a change of lr by a schedule takes effect at once.
    """

    def __init__(self, params: list[Parameter], momentum: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params)
        if nesterov and momentum == 0:
            raise ValueError("Nesterov momentum needs momentum > 0")
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = [np.zeros_like(p.value) for p in params] if momentum else []
        self._scratch = [np.empty_like(p.value) for p in params]

    def step(self, lr: float) -> None:
        for i, p in enumerate(self.params):
            scratch = self._scratch[i]
            if not self.momentum:
                np.multiply(p.grad, lr, out=scratch)
            else:
                v = self.velocity[i]
                v *= self.momentum
                v += p.grad
                if self.nesterov:
                    np.multiply(v, self.momentum, out=scratch)
                    scratch += p.grad
                    scratch *= lr
                else:
                    np.multiply(v, lr, out=scratch)
            p.value -= scratch

    def state_buffers(self) -> list[np.ndarray]:
        return self.velocity

    def __repr__(self) -> str:
        return f"SGD(momentum={self.momentum}, nesterov={self.nesterov})"


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): per-weight step sizes from running gradient moments.

    At step t = 1, 2, ...:
        m <- beta1 * m + (1 - beta1) * g            first moment (mean of g)
        s <- beta2 * s + (1 - beta2) * g^2          second moment (mean of g^2)
        m_hat = m / (1 - beta1^t),  s_hat = s / (1 - beta2^t)     bias corrections
        W <- W - lr * m_hat / (sqrt(s_hat) + eps)
    """

    def __init__(self, params: list[Parameter], beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(params)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m = [np.zeros_like(p.value) for p in params]
        self.s = [np.zeros_like(p.value) for p in params]
        self._scratch = [np.empty_like(p.value) for p in params]

    def step(self, lr: float) -> None:
        self.t += 1
        # Fold both bias corrections into one scalar step size:
        # lr * m_hat / (sqrt(s_hat) + eps) = lr_t * m / (sqrt(s) + eps_t),
        # lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t), eps_t = eps * sqrt(1 - beta2^t).
        correction2 = np.sqrt(1 - self.beta2**self.t)
        lr_t = lr * correction2 / (1 - self.beta1**self.t)
        eps_t = self.eps * correction2
        for p, m, s, scratch in zip(self.params, self.m, self.s, self._scratch, strict=True):
            g = p.grad
            m *= self.beta1
            np.multiply(g, 1 - self.beta1, out=scratch)
            m += scratch
            np.multiply(g, g, out=scratch)
            scratch *= 1 - self.beta2
            s *= self.beta2
            s += scratch
            np.sqrt(s, out=scratch)
            scratch += eps_t
            np.divide(m, scratch, out=scratch)
            scratch *= lr_t
            p.value -= scratch

    def state_buffers(self) -> list[np.ndarray]:
        return self.m + self.s

    def __repr__(self) -> str:
        return f"Adam(beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})"


def make_optimizer(params: list[Parameter], config: dict) -> Optimizer:
    """The optimizer that the ``train`` slice of config.yaml names (sgd or adam) over ``params``."""
    name = config["optimizer"]
    if name == "sgd":
        return SGD(params, momentum=config.get("momentum", 0.0), nesterov=config.get("nesterov", False))
    if name == "adam":
        adam = config.get("adam", {})
        return Adam(params, beta1=adam.get("beta1", 0.9), beta2=adam.get("beta2", 0.999), eps=adam.get("eps", 1e-8))
    raise ValueError(f"unknown optimizer {name!r}: use sgd or adam")
