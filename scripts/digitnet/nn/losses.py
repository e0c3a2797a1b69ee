"""Softmax fused with cross-entropy, and the L2 penalty."""

import numpy as np

from digitnet.nn.parameter import Parameter


def softmax(Z: np.ndarray) -> np.ndarray:
    """Row-wise softmax: P[i, k] = exp(Z[i, k]) / sum_j exp(Z[i, j]).

    Z : (N, K) logits -> P : (N, K), each row sums to 1.
    """
    # Subtracting the row max leaves P unchanged and keeps exp() from overflowing.
    shifted = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=1, keepdims=True)


class SoftmaxCrossEntropy:
    """Mean cross-entropy of the softmax of the logits, computed in one stable step.

    forward:  L = -(1/N) sum_i log P[i, y_i],   P = softmax(Z),  Z : (N, K), y : (N,) int
              with log P[i, k] = Z[i, k] - max_j Z[i, j] - log sum_j exp(Z[i, j] - max_j Z[i, j]),
              so no probability is ever rounded to 0 before its log is taken.
    backward: dZ = (P - onehot(y)) / N          (N, K)

    Fusing the two keeps the gradient this simple; a separate softmax layer would
    need its full (K, K) Jacobian per sample.
    """

    def forward(self, Z: np.ndarray, y: np.ndarray) -> float:
        shifted = Z - Z.max(axis=1, keepdims=True)  # (N, K), max 0 per row
        E = np.exp(shifted)  # (N, K), each row has an entry of exactly 1, so the sum is >= 1
        total = E.sum(axis=1, keepdims=True)  # (N, 1)
        log_P = shifted - np.log(total)  # (N, K)
        rows = np.arange(len(y))
        self._P = E / total
        self._y = y
        # + 0.0 turns -0.0 (the negation of a zero loss) into 0.0.
        return float(-log_P[rows, y].mean()) + 0.0

    def backward(self) -> np.ndarray:
        N = len(self._y)
        dZ = self._P.copy()
        dZ[np.arange(N), self._y] -= 1
        dZ /= N
        return dZ


def l2_penalty(parameters: list[Parameter], lam: float) -> float:
    """L2 regularization: R = (lam / 2) * sum over the parameters that decay of ||W||^2.

    Which parameters decay is each Parameter's ``decays`` (weights yes, biases no); its
    gradient, lam * W, is added by ``add_l2_gradient``.
    """
    return 0.5 * lam * float(sum(np.vdot(p.value, p.value) for p in parameters if p.decays))


def add_l2_gradient(parameters: list[Parameter], lam: float) -> None:
    """dW += lam * W for every parameter that decays, in place (the gradient of ``l2_penalty``).

    The one place weight decay is applied: training and the recorded step both call it.
    """
    if not lam:
        return
    for p in parameters:
        if p.decays:
            p.grad += p.value.dtype.type(lam) * p.value
