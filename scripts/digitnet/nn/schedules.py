"""Learning-rate schedules: the step size as a function of the update count.

Each schedule is a callable ``lr(step) -> float`` for steps 0, 1, ..., total - 1.
An optional linear warm-up climbs from lr / warmup_steps to lr over the first
``warmup_steps`` updates, which keeps large early gradients from throwing the
weights far away before the moments of Adam or momentum have settled.
"""

import math
from collections.abc import Callable


def constant(base_lr: float) -> Callable[[int], float]:
    """lr(t) = base_lr."""
    return lambda step: base_lr


def step_decay(base_lr: float, every: int, gamma: float) -> Callable[[int], float]:
    """lr(t) = base_lr * gamma ** floor(t / every): divide by 1/gamma every ``every`` steps."""
    return lambda step: base_lr * gamma ** (step // every)


def cosine(base_lr: float, total: int, min_lr: float = 0.0) -> Callable[[int], float]:
    """lr(t) = min_lr + (base_lr - min_lr) * (1 + cos(pi * t / total)) / 2 (Loshchilov and Hutter, 2017).

    Starts at base_lr and glides to min_lr at the last step: large steps early, fine ones late.
    """
    return lambda step: min_lr + (base_lr - min_lr) * 0.5 * (1 + math.cos(math.pi * step / total))


def with_warmup(schedule: Callable[[int], float], warmup_steps: int) -> Callable[[int], float]:
    """lr(t) = schedule(t) * (t + 1) / warmup_steps for t < warmup_steps, else schedule(t)."""
    if warmup_steps <= 0:
        return schedule
    return lambda step: schedule(step) * min(1.0, (step + 1) / warmup_steps)


def make_schedule(config: dict, base_lr: float, steps_per_epoch: int, epochs: int) -> Callable[[int], float]:
    """Build the schedule that ``config`` describes (the ``train.schedule`` slice of config.yaml).

    config keys: ``name`` (constant | step | cosine), ``step_epochs`` and ``gamma`` (step),
    ``min_lr`` (cosine), ``warmup_epochs`` (all). Epoch counts become step counts here.
    """
    name = config.get("name", "constant")
    total = steps_per_epoch * epochs
    if name == "constant":
        schedule = constant(base_lr)
    elif name == "step":
        schedule = step_decay(base_lr, max(1, round(config["step_epochs"] * steps_per_epoch)), config["gamma"])
    elif name == "cosine":
        schedule = cosine(base_lr, total, config.get("min_lr", 0.0))
    else:
        raise ValueError(f"unknown learning-rate schedule {name!r}: use constant, step or cosine")
    return with_warmup(schedule, round(config.get("warmup_epochs", 0) * steps_per_epoch))
