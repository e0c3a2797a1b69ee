"""One or two optimizer steps, checked against numbers worked out by hand.

Start: W = [1.0, -2.0]; the gradients are set by hand, no network involved.
"""

import numpy as np
import pytest

from digitnet.nn import SGD, Adam, Parameter
from digitnet.nn.optimizers import make_optimizer
from digitnet.nn.schedules import make_schedule


def parameter(grad) -> Parameter:
    p = Parameter("w", np.array([1.0, -2.0]))
    p.grad[:] = grad
    return p


def test_plain_sgd_step_is_w_minus_lr_times_gradient():
    p = parameter([0.5, 0.5])
    SGD([p]).step(lr=0.1)
    # 1 - 0.1 * 0.5 = 0.95;  -2 - 0.1 * 0.5 = -2.05
    assert p.value == pytest.approx([0.95, -2.05])


def test_momentum_accumulates_gradients_across_two_steps():
    p = parameter([0.5, 0.5])
    optimizer = SGD([p], momentum=0.9)
    optimizer.step(lr=0.1)
    # v = [0.5, 0.5];  W = [1 - 0.05, -2 - 0.05]
    assert p.value == pytest.approx([0.95, -2.05])
    p.grad[:] = [0.5, -1.0]
    optimizer.step(lr=0.1)
    # v = 0.9 * [0.5, 0.5] + [0.5, -1.0] = [0.95, -0.55];  W = [0.95 - 0.095, -2.05 + 0.055]
    assert optimizer.velocity[0] == pytest.approx([0.95, -0.55])
    assert p.value == pytest.approx([0.855, -1.995])


def test_nesterov_steps_along_gradient_plus_momentum_times_velocity():
    p = parameter([0.5, 0.5])
    SGD([p], momentum=0.9, nesterov=True).step(lr=0.1)
    # v = [0.5, 0.5];  update = g + 0.9 v = [0.95, 0.95];  W = [1 - 0.095, -2 - 0.095]
    assert p.value == pytest.approx([0.905, -2.095])


def test_adam_first_step_moves_each_weight_by_about_lr():
    p = parameter([0.5, -0.25])
    Adam([p]).step(lr=0.1)
    # m_hat = g and s_hat = g^2 after bias correction, so the step is lr * g / (|g| + eps):
    # 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.900000002;  -2 + 0.1 * 0.25 / (0.25 + 1e-8) = -1.900000004
    assert p.value == pytest.approx([0.900000002, -1.900000004], abs=1e-10)


def test_adam_second_step_uses_bias_corrected_moments():
    p = parameter([0.5, -0.25])
    optimizer = Adam([p])
    optimizer.step(lr=0.1)
    p.grad[:] = [1.0, 0.0]
    optimizer.step(lr=0.1)
    # weight 0: m = 0.9 * 0.05 + 0.1 * 1.0 = 0.145,         m_hat = 0.145 / (1 - 0.9^2) = 0.763157...
    #           s = 0.999 * 0.00025 + 0.001 * 1.0 = 0.00124975, s_hat = s / (1 - 0.999^2) = 0.625187...
    #           W = 0.9 - 0.1 * 0.763157 / sqrt(0.625187) = 0.803481...
    # weight 1: m = 0.9 * -0.025 = -0.0225, m_hat = -0.118421...; s = 0.999 * 6.25e-5, s_hat = 0.031234...
    #           W = -1.9 + 0.1 * 0.118421 / sqrt(0.031234) = -1.832994...
    assert optimizer.m[0] == pytest.approx([0.145, -0.0225])
    assert optimizer.s[0] == pytest.approx([0.00124975, 6.24375e-05])
    assert p.value == pytest.approx([0.8034818, -1.8329942], abs=1e-7)


def test_optimizers_keep_float32_parameters_float32():
    p = Parameter("w", np.ones(3, dtype=np.float32))
    p.grad[:] = 0.5
    for optimizer in (SGD([p], momentum=0.9), Adam([p])):
        optimizer.step(lr=0.01)
        assert p.value.dtype == np.float32


def test_flush_subnormals_zeroes_only_tiny_state():
    p = parameter([0.0, 0.0])
    optimizer = SGD([p], momentum=0.9)
    optimizer.velocity[0][:] = [1e-35, 1e-3]
    optimizer.flush_subnormals()
    assert optimizer.velocity[0].tolist() == [0.0, 1e-3]


def test_make_optimizer_builds_what_the_config_names():
    p = parameter([0.0, 0.0])
    assert isinstance(make_optimizer([p], {"optimizer": "sgd", "momentum": 0.9}), SGD)
    assert isinstance(make_optimizer([p], {"optimizer": "adam"}), Adam)
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer([p], {"optimizer": "rmsprop"})


def test_cosine_schedule_starts_at_lr_halves_midway_and_ends_at_min_lr():
    lr = make_schedule({"name": "cosine", "min_lr": 0.0}, base_lr=0.2, steps_per_epoch=10, epochs=2)
    assert lr(0) == pytest.approx(0.2)
    assert lr(10) == pytest.approx(0.1)
    assert lr(20) == pytest.approx(0.0, abs=1e-12)


def test_step_schedule_multiplies_by_gamma_every_step_epochs():
    lr = make_schedule({"name": "step", "step_epochs": 1, "gamma": 0.5}, base_lr=1.0, steps_per_epoch=4, epochs=3)
    assert [lr(t) for t in (0, 3, 4, 8)] == [1.0, 1.0, 0.5, 0.25]


def test_warmup_climbs_linearly_to_the_base_rate():
    lr = make_schedule({"name": "constant", "warmup_epochs": 1}, base_lr=0.4, steps_per_epoch=4, epochs=2)
    assert [lr(t) for t in range(6)] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.4, 0.4])
