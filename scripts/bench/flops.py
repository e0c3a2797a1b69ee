"""How much arithmetic an epoch takes, and how fast this machine multiplies matrices: the floor
against which the PyTorch comparison measures both frameworks.

Two counts: the direct method's (every weighted layer as the products of its filter bank at
every output position, what PyTorch's convolutions compute), and the arithmetic of the method
each layer of digitnet's network actually uses (a convolution by the DFT does its transforms and
its per-frequency products instead: fewer operations, so the direct count's floor would
flatter it)."""

import math
import time


def direct_flops(layer, shape_out: tuple[int, ...]) -> int:
    """A weighted layer's forward product per sample: 2 |W| P operations (|W| weights, each a
    multiply and an add at each of P output positions: P = H' W' for a convolution's output
    (F, H', W'), 1 for a dense layer's (units,))."""
    return 2 * layer.W.value.size * math.prod(shape_out[1:])


def epoch_flops(config: dict, n_train: int, n_val: int) -> float:
    """Floating-point operations of one epoch's matrix products, from digitnet's layer shapes.

    Each weighted layer's forward product (direct_flops) counts three times in training (forward,
    dW, dX), twice for the first weighted layer (no dX), and once in validation. Elementwise work
    is not counted: the floor is what the products alone would take at the sgemm rate.
    """
    forward = [direct_flops(layer, shape_out) for layer, _, shape_out in traced_layers(config)]
    train = 3 * sum(forward) - forward[0]
    return float(n_train * train + n_val * sum(forward))


def traced_layers(config: dict) -> list[tuple[object, tuple[int, ...], tuple[int, ...]]]:
    """(layer, input shape, output shape) of every weighted layer of digitnet's network for
    ``config``, shapes per sample, from a forward pass of one blank image."""
    import numpy as np

    from digitnet.model import build_stack, model_from_config

    rng = np.random.default_rng(0)
    model = build_stack(config["stack"], 10, rng) if "stack" in config else model_from_config(config["model"], 784, 10, rng)
    trace: list = []
    model.forward(np.zeros((1, 784), np.float32), trace=trace)
    shapes, previous = [], (784,)
    for layer, out in trace:
        if hasattr(layer, "W"):
            shapes.append((layer, previous, tuple(out.shape[1:])))
        previous = tuple(out.shape[1:])
    return shapes


def calls(images: int, per_call: int) -> list[tuple[int, int]]:
    """``images`` taken ``per_call`` at a time: [(images in a call, how many such calls)], the full
    calls and the shorter last one."""
    full, rest = divmod(images, per_call)
    return [(size, count) for size, count in ((per_call, full), (rest, 1)) if size and count]


def method_flops(config: dict, n_train: int, n_val: int) -> dict[str, float]:
    """{"products", "transforms"}: floating-point operations of one epoch by the method each layer uses.

    Training takes the images a batch (train.batch_size) per step, validation PREDICT_BATCH per
    forward pass; each call goes by the method the layer picks for that many images, with or
    without backward (Conv2D.by_fourier), as the run itself does. A dense layer or a convolution
    by patches: its products, as epoch_flops counts them. A convolution by the DFT
    (digitnet.nn.fourier), per image: the transforms of its C input and F output maps, each one
    way in a forward pass and both ways in training (fourier.transform_operations, two matrix
    products each), and at each of the L1 (L2 // 2 + 1) frequencies a real product of 8 F C
    operations (three in training); per call, the filters' spectrum, one product of
    2 (2 L1 L2') kh kw F C operations, and in training as many for the inverse of their gradients.
    The first weighted layer has no input gradient (one product and C inverse transforms fewer).
    """
    from digitnet.model import PREDICT_BATCH
    from digitnet.nn import fourier

    phases = [(True, calls(n_train, config["train"]["batch_size"])), (False, calls(n_val, PREDICT_BATCH))]
    products = transforms = 0.0
    for index, (layer, shape_in, shape_out) in enumerate(traced_layers(config)):
        first = index == 0
        for training, sizes in phases:
            passes = (3 - first) if training else 1  # products: forward, dW and dX (none for the first layer)
            for images, count in sizes:
                if len(shape_in) == 3 and layer.by_fourier(shape_in, images, training):
                    F, C, kh, kw = layer.W.value.shape
                    (H, W), (Ho, Wo) = shape_in[1:], shape_out[1:]
                    L1, L2 = fourier.transform_shape((H, W), (kh, kw), layer.stride, layer.padding)
                    frequencies = L1 * (L2 // 2 + 1)
                    inputs, outputs = C * fourier.transform_operations(H, W, L1, L2), F * fourier.transform_operations(Ho, Wo, L1, L2)
                    per_image = (2 * (inputs + outputs) - (inputs if first else 0)) if training else inputs + outputs
                    per_call = (1 + training) * fourier.kernel_operations(F, C, kh, kw, L1, L2)  # the filters' spectrum, and dW's inverse
                    products += count * (images * passes * 8 * F * C * frequencies + per_call)
                    transforms += count * images * per_image
                else:
                    products += count * images * passes * direct_flops(layer, shape_out)
    return {"products": float(products), "transforms": float(transforms)}


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
