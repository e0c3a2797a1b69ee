"""The yardstick's side of the PyTorch comparison: the same networks, optimizer and schedule in
PyTorch, trained by a plain loop. Only this benchmark imports torch; the network never does."""

import math
import re
import time


def build_torch_mlp(n_inputs: int, model_cfg: dict):
    """The network build_mlp makes, in torch.nn, initialized with the same distributions.

    Weights: He normal N(0, 2 / fan_in) for ReLU-like activations, Xavier uniform for
    sigmoid/tanh (or as model.init says); biases zero. Same distributions, not the same numbers.
    """
    import torch

    from digitnet.nn.init import DEFAULT_INIT

    activation = model_cfg["activation"]
    make_activation = {
        "relu": torch.nn.ReLU,
        "leaky_relu": lambda: torch.nn.LeakyReLU(model_cfg["leaky_alpha"]),
        "sigmoid": torch.nn.Sigmoid,
        "tanh": torch.nn.Tanh,
    }[activation]
    init = DEFAULT_INIT[activation] if model_cfg["init"] == "auto" else model_cfg["init"]
    sizes = [n_inputs, *model_cfg["hidden"], 10]
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        linear = torch.nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            if init == "he":
                linear.weight.normal_(0.0, math.sqrt(2.0 / fan_in))
            else:
                limit = math.sqrt(6.0 / (fan_in + fan_out))
                linear.weight.uniform_(-limit, limit)
            linear.bias.zero_()
        layers.append(linear)
        if i < len(model_cfg["hidden"]):
            layers.append(make_activation())
            if model_cfg["dropout"] > 0:
                layers.append(torch.nn.Dropout(model_cfg["dropout"]))
    return torch.nn.Sequential(*layers)


def build_torch_stack(stack: list[dict]):
    """The network digitnet's build_stack makes, in torch.nn: the same layers and shapes, He-initialized."""
    import torch

    layers, channels, side, width = [], 1, 28, None
    for entry in [*stack, {"type": "dense", "units": 10}]:
        kind = entry["type"]
        if kind in ("conv2d", "maxpool2d") and width is None and not layers:
            layers.append(torch.nn.Unflatten(1, (1, 28, 28)))
        if kind == "conv2d":
            stride, padding = entry.get("stride", 1), entry.get("padding", 0)
            conv = torch.nn.Conv2d(channels, entry["filters"], entry["kernel"], stride, padding)
            with torch.no_grad():
                conv.weight.normal_(0.0, math.sqrt(2.0 / (channels * entry["kernel"] ** 2)))
                conv.bias.zero_()
            layers.append(conv)
            channels, side = entry["filters"], (side + 2 * padding - entry["kernel"]) // stride + 1
        elif kind == "maxpool2d":
            size = entry.get("size", 2)
            layers.append(torch.nn.MaxPool2d(size, entry.get("stride") or size))
            side = (side - size) // (entry.get("stride") or size) + 1
        elif kind == "dense":
            if width is None:
                layers.append(torch.nn.Flatten())
                width = channels * side * side
            linear = torch.nn.Linear(width, entry["units"])
            with torch.no_grad():
                linear.weight.normal_(0.0, math.sqrt(2.0 / width))
                linear.bias.zero_()
            layers.append(linear)
            width = entry["units"]
        elif kind == "relu":
            layers.append(torch.nn.ReLU())
        else:
            raise ValueError(f"the benchmark has no PyTorch twin for layer type {kind!r}")
    return torch.nn.Sequential(*layers)


def make_torch_optimizer(model, train_cfg: dict):
    """torch.optim.SGD or Adam as train.optimizer says, with weight decay l2 on weight matrices only.

    PyTorch's weight_decay adds l2 * W to the gradient before the update, as digitnet's
    add_l2_gradient does; biases go in a second group without it.
    """
    import torch

    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    groups = [{"params": weights, "weight_decay": train_cfg["l2"]}, {"params": biases, "weight_decay": 0.0}]
    if train_cfg["optimizer"] == "sgd":
        return torch.optim.SGD(groups, lr=train_cfg["lr"], momentum=train_cfg["momentum"], nesterov=train_cfg["nesterov"])
    adam = train_cfg["adam"]
    return torch.optim.Adam(groups, lr=train_cfg["lr"], betas=(adam["beta1"], adam["beta2"]), eps=adam["eps"])


def torch_loss_accuracy(model, X, y, chunk: int = 8192) -> tuple[float, float]:
    """Mean cross-entropy and accuracy in inference mode, in chunks as predict_proba does."""
    import torch

    model.eval()
    loss, correct = 0.0, 0
    with torch.inference_mode():
        for start in range(0, len(X), chunk):
            logits = model(X[start : start + chunk])
            targets = y[start : start + chunk]
            loss += float(torch.nn.functional.cross_entropy(logits, targets, reduction="sum"))
            correct += int((logits.argmax(dim=1) == targets).sum())
    model.train()
    return loss / len(X), correct / len(X)


def torch_blas_name(torch) -> str:
    """The BLAS PyTorch was built with, as its build settings say ('mkl', 'open', ...)."""
    match = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return match.group(1) if match else "unknown BLAS"


def torch_step(model, optimizer, X_batch, y_batch, lr: float, epoch: int) -> int:
    """One training step in PyTorch, as fit's: forward, mean cross-entropy, a finiteness check and
    the running accuracy (fit does both), backward, the learning rate set, optimizer step.
    Returns how many of the batch's samples were classified correctly."""
    import torch

    from digitnet.errors import TrainingDiverged

    logits = model(X_batch)
    loss = torch.nn.functional.cross_entropy(logits, y_batch)
    value = loss.item()
    if not math.isfinite(value):
        raise TrainingDiverged(f"torch: the loss became {value} at epoch {epoch}")
    correct = int((logits.argmax(dim=1) == y_batch).sum())
    optimizer.zero_grad()
    loss.backward()
    for group in optimizer.param_groups:
        group["lr"] = lr
    optimizer.step()
    return correct


def torch_setup(config: dict, n_train: int, seed: int, threads: int):
    """(model, optimizer, schedule) in PyTorch, the twins of numpy_setup's, on ``threads`` threads."""
    import torch

    from digitnet.nn.schedules import make_schedule

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(seed)
    train_cfg = config["train"]
    model = build_torch_stack(config["stack"]) if "stack" in config else build_torch_mlp(784, config["model"])
    steps = math.ceil(n_train / train_cfg["batch_size"])
    schedule = make_schedule(train_cfg["schedule"], train_cfg["lr"], steps, train_cfg["epochs"])
    return model, make_torch_optimizer(model, train_cfg), schedule


def train_torch(splits, config: dict, seed: int, threads: int) -> dict:
    """The same training as digitnet's fit, step for step, in PyTorch; time the loop.

    Per batch: forward, mean cross-entropy, a finiteness check and the running accuracy
    (fit does both), backward, lr from the same schedule function, optimizer step.
    Per epoch: a fresh shuffle, then loss and accuracy on the validation set.
    """
    import torch

    train, val, test = splits
    X, y = torch.from_numpy(train.X), torch.from_numpy(train.y)  # shares memory: no copy
    X_val, y_val = torch.from_numpy(val.X), torch.from_numpy(val.y)
    train_cfg = config["train"]
    epochs, batch_size = train_cfg["epochs"], train_cfg["batch_size"]
    n = len(X)
    model, optimizer, schedule = torch_setup(config, n, seed, threads)
    generator = torch.Generator().manual_seed(seed)

    epoch_seconds, step = [], 0
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        epoch_started = time.perf_counter()
        order = torch.randperm(n, generator=generator)
        correct = 0
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            correct += torch_step(model, optimizer, X[batch], y[batch], schedule(step), epoch)
            step += 1
        val_loss, val_acc = torch_loss_accuracy(model, X_val, y_val)
        epoch_seconds.append(time.perf_counter() - epoch_started)
    train_seconds = time.perf_counter() - started
    _, test_acc = torch_loss_accuracy(model, torch.from_numpy(test.X), torch.from_numpy(test.y))
    return {
        "train_seconds": train_seconds,
        "epoch_seconds": epoch_seconds,
        "val_loss": val_loss,
        "val_accuracy": val_acc,
        "test_accuracy": test_acc,
        **torch_environment(),
    }


def torch_environment() -> dict:
    """PyTorch's version, threads and BLAS, for the report."""
    import torch

    return {
        "torch_version": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "torch_blas": f"{torch_blas_name(torch)}, {torch.backends.cpu.get_cpu_capability()}",
        "torch_parallel_info": torch.__config__.parallel_info(),
    }
