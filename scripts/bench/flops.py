"""How much arithmetic an epoch takes, and how fast this machine multiplies matrices: the floor
against which the PyTorch comparison measures both frameworks."""

import math
import time


def epoch_flops(config: dict, n_train: int, n_val: int) -> float:
    """Floating-point operations of one epoch's matrix products, from digitnet's layer shapes.

    A weighted layer's forward product costs 2 |W| P per sample (|W| weights, each a
    multiply and an add at each of P output positions: P = H' W' for a convolution, 1 for
    a dense layer). Training costs it three times (forward, dW, dX), twice for the first
    weighted layer (no dX); validation costs it once. Elementwise work is not counted: the
    floor is what the products alone would take at the sgemm rate.
    """
    import numpy as np

    from digitnet.model import build_stack, model_from_config

    rng = np.random.default_rng(0)
    model = build_stack(config["stack"], 10, rng) if "stack" in config else model_from_config(config["model"], 784, 10, rng)
    trace: list = []
    model.forward(np.zeros((1, 784), np.float32), trace=trace)
    forward = [2 * layer.W.value.size * math.prod(out.shape[2:]) for layer, out in trace if hasattr(layer, "W")]
    train = 3 * sum(forward) - forward[0]
    return float(n_train * train + n_val * sum(forward))


def sgemm_rate(framework: str, size: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of a size x size float32 matrix product (2 size^3 operations), best of ``repeats``."""
    if framework == "numpy":
        import numpy as np

        a, matmul = np.random.default_rng(0).random((size, size), dtype=np.float32), np.matmul
    else:
        import torch

        a, matmul = torch.rand(size, size), torch.matmul
    matmul(a, a)  # the first call sets up thread pools and buffers
    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        matmul(a, a)
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best / 1e9
