"""Convolution and pooling: shapes over strides and paddings, and gradients by central differences in float64."""

import numpy as np
import pytest
from test_gradients import TOLERANCE, numeric_gradient, relative_error

from digitnet.nn.conv import Conv2D, Flatten, MaxPool2D, output_size

# Conv2D lays a batch out batch-second or batch-last inside, by output size: test both.
LAYOUTS = {"batch-last": 10**9, "batch-second": 0}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 1), (2, 0), (2, 2), (3, 1)])
def test_conv2d_output_shape_and_gradients_for_input_filters_and_bias(stride, padding, layout, rng):
    layer = Conv2D.create(2, 3, 3, rng, stride=stride, padding=padding, dtype=np.float64)
    layer.batch_last_below = LAYOUTS[layout]
    layer.b.value[:] = rng.standard_normal(3)
    x = rng.standard_normal((2, 2, 7, 6))
    out = layer.forward(x, training=True)
    assert out.shape == (2, 3, output_size(7, 3, stride, padding), output_size(6, 3, stride, padding))
    upstream = rng.standard_normal(out.shape)
    dx = layer.backward(upstream)

    def f():
        return float(np.sum(layer.forward(x) * upstream))

    assert relative_error(dx, numeric_gradient(f, x)) < TOLERANCE
    assert relative_error(layer.W.grad, numeric_gradient(f, layer.W.value)) < TOLERANCE
    assert relative_error(layer.b.grad, numeric_gradient(f, layer.b.value)) < TOLERANCE


@pytest.mark.parametrize("layout", LAYOUTS)
def test_conv2d_matches_the_definition_written_as_loops(layout, rng):
    layer = Conv2D.create(2, 2, 3, rng, stride=2, padding=1, dtype=np.float64)
    layer.batch_last_below = LAYOUTS[layout]
    x = rng.standard_normal((1, 2, 5, 5))
    out = layer.forward(x)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    for f in range(2):
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                expected = layer.b.value[f] + np.sum(layer.W.value[f] * xp[0, :, 2 * i : 2 * i + 3, 2 * j : 2 * j + 3])
                assert out[0, f, i, j] == pytest.approx(expected)


@pytest.mark.parametrize("size,stride", [(2, 2), (3, 2), (2, 1)])
def test_maxpool_output_shape_and_gradient(size, stride, rng):
    layer = MaxPool2D(size, stride)
    x = rng.standard_normal((2, 3, 6, 7))  # distinct values: the max of each window is unique
    out = layer.forward(x)
    assert out.shape == (2, 3, output_size(6, size, stride, 0), output_size(7, size, stride, 0))
    upstream = rng.standard_normal(out.shape)
    dx = layer.backward(upstream)
    assert relative_error(dx, numeric_gradient(lambda: float(np.sum(layer.forward(x) * upstream)), x)) < TOLERANCE


def test_maxpool_picks_the_largest_value_of_each_window():
    x = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)
    assert MaxPool2D(2).forward(x)[0, 0].tolist() == [[5, 7], [13, 15]]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_conv2d_outputs_are_new_arrays_that_later_batches_leave_alone(layout, rng):
    # The layer reuses its scratch buffers from batch to batch; what it returns must not be one.
    layer = Conv2D.create(1, 2, 3, rng, padding=1)
    layer.batch_last_below = LAYOUTS[layout]
    first, second = rng.random((1, 1, 5, 5), dtype=np.float32), rng.random((1, 1, 5, 5), dtype=np.float32)
    out = layer.forward(first, training=True)
    kept = out.copy()
    dx = layer.backward(np.ones_like(out))
    kept_dx = dx.copy()
    layer.backward(np.ones_like(layer.forward(second, training=True)) * 2)
    assert np.array_equal(out, kept) and np.array_equal(dx, kept_dx)


def test_maxpool_sends_a_tied_windows_gradient_to_its_first_maximum_only():
    pool = MaxPool2D(2)
    x = np.array([[[[1.0, 1.0], [1.0, 0.0]]]])
    pool.forward(x)
    assert pool.backward(np.array([[[[5.0]]]])).tolist() == [[[[5.0, 0.0], [0.0, 0.0]]]]


def test_flatten_round_trips_shapes(rng):
    layer = Flatten()
    x = rng.standard_normal((3, 2, 4, 4))
    assert layer.forward(x).shape == (3, 32)
    assert layer.backward(np.ones((3, 32))).shape == x.shape
