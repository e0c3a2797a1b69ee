"""Convolution and pooling: shapes over strides and paddings, and gradients by central differences in float64.

Every convolution test runs once by patches (im2col) and once by the Fourier transform: the
layer chooses one by cost, and small test layers would otherwise only ever take the first.
"""

import math

import numpy as np
import pytest
from test_gradients import TOLERANCE, numeric_gradient, relative_error

from digitnet.nn import fourier, parallel
from digitnet.nn.activations import ReLU
from digitnet.nn.conv import Conv2D, Flatten, MaxPool2D, output_size


@pytest.fixture(params=[1, 2], ids=["1 thread", "2 threads"])
def threads(request, monkeypatch):
    """Run a test with elementwise passes in 1 thread, then split over 2 (even on tiny arrays)."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_SIZE", 1)
    parallel.set_thread_count(request.param)
    yield request.param
    parallel.set_thread_count(1)


@pytest.fixture(params=["patches", "fourier"])
def method(request):
    """How the convolutions of a test compute: by im2col or by the DFT."""
    return request.param


def conv(in_channels, filters, kernel, rng, method, **settings):
    """Conv2D.create(...) computing by ``method``."""
    layer = Conv2D.create(in_channels, filters, kernel, rng, **settings)
    layer.method = method
    return layer


def reference_conv(x, W, b, stride, padding):
    """The convolution as written on paper, a loop over output positions: out : (N, F, H', W')."""
    F, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = output_size(x.shape[2], kh, stride, padding), output_size(x.shape[3], kw, stride, padding)
    out = np.empty((len(x), F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]  # (N, C, kh, kw)
            out[:, :, i, j] = np.tensordot(patch, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def reference_conv_gradients(x, W, dout, stride, padding):
    """dX, dW, db of sum(out * dout), each output position's patch taking its share by hand."""
    _, _, kh, kw = W.shape
    p = padding
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
            g = dout[:, :, i, j]  # (N, F)
            dW += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(g, W, axes=([1], [0]))
    return dxp[:, :, p : p + x.shape[2], p : p + x.shape[3]], dW, dout.sum(axis=(0, 2, 3))


@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 2), (2, 1), (3, 0), (1, 3), (2, 4)])
def test_conv2d_and_its_gradients_match_the_plain_reference(stride, padding, threads, rng, method):
    layer = conv(3, 4, 3, rng, method, stride=stride, padding=padding, dtype=np.float64)
    layer.b.value[:] = rng.standard_normal(4)
    x = rng.standard_normal((5, 3, 9, 8))
    out = layer.forward(x, training=True)
    assert np.allclose(out, reference_conv(x, layer.W.value, layer.b.value, stride, padding))
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    for fast, plain in zip(
        [dx, layer.W.grad, layer.b.grad], reference_conv_gradients(x, layer.W.value, dout, stride, padding), strict=True
    ):
        assert np.allclose(fast, plain)


def test_conv2d_reads_a_gradient_in_any_memory_order(rng, method):
    # The layers above hand the gradient back batch-last or batch-first: both give the same result.
    layer = conv(2, 3, 3, rng, method, padding=1, dtype=np.float64)
    x = rng.standard_normal((4, 2, 6, 6))
    out = layer.forward(x, training=True)
    dout = rng.standard_normal(out.shape)
    dx_first = layer.backward(np.ascontiguousarray(dout)).copy()
    dW_first = layer.W.grad.copy()
    dx_last = layer.backward(np.ascontiguousarray(dout.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2))
    assert np.allclose(dx_first, dx_last) and np.allclose(dW_first, layer.W.grad)


def reference_maxpool(x, size, stride):
    """out and a function giving dx, one window at a time; ties go to the first maximum in row-major order."""
    N, C, H, W = x.shape
    Ho, Wo = output_size(H, size, stride, 0), output_size(W, size, stride, 0)
    out, where = np.empty((N, C, Ho, Wo)), {}
    for n, c, i, j in np.ndindex(N, C, Ho, Wo):
        window = x[n, c, i * stride : i * stride + size, j * stride : j * stride + size]
        u, v = np.unravel_index(np.argmax(window), window.shape)
        out[n, c, i, j], where[n, c, i, j] = window[u, v], (n, c, i * stride + u, j * stride + v)

    def backward(dout):
        dx = np.zeros_like(x)
        for key, position in where.items():
            dx[position] += dout[key]
        return dx

    return out, backward


@pytest.mark.parametrize("size,stride", [(2, 2), (3, 2), (2, 1), (3, 3)])
def test_relu_and_maxpool_match_the_plain_reference_in_a_batch_last_layout(size, stride, threads, rng):
    # As after a convolution: the input a (N, C, H, W) view of batch-last memory, with ties (ReLU's zeros).
    x = rng.standard_normal((6, 3, 7, 8)).transpose(1, 2, 3, 0).copy().transpose(3, 0, 1, 2)
    relu, pool = ReLU(), MaxPool2D(size, stride)
    a = relu.forward(x, training=True)
    out = pool.forward(a, training=True)
    expected, reference_backward = reference_maxpool(np.maximum(x, 0), size, stride)
    assert np.array_equal(out, expected)
    dout = rng.standard_normal(out.shape)
    assert np.allclose(relu.backward(pool.backward(dout)), reference_backward(dout) * (x > 0))


@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 1), (2, 0), (2, 2), (3, 1)])
def test_conv2d_output_shape_and_gradients_for_input_filters_and_bias(stride, padding, rng, method):
    layer = conv(2, 3, 3, rng, method, stride=stride, padding=padding, dtype=np.float64)
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


def test_conv2d_matches_the_definition_written_as_loops(rng, method):
    layer = conv(2, 2, 3, rng, method, stride=2, padding=1, dtype=np.float64)
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


def test_conv2d_outputs_are_new_arrays_that_later_batches_leave_alone(rng, method):
    # The layer reuses its scratch buffers from batch to batch; what it returns must not be one.
    layer = conv(1, 2, 3, rng, method, padding=1)
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


def test_a_2x2_window_notes_its_first_maximum_row_by_row_for_every_pattern_of_ties():
    # Every window of values 0, 1 and 2 (81 of them, all ties included), as one row of windows.
    import itertools

    windows = np.array(list(itertools.product([0.0, 1.0, 2.0], repeat=4)))  # (81, 4): a, b, c, d
    x = windows.reshape(1, 81, 2, 2).transpose(0, 2, 1, 3).reshape(1, 1, 2, 162)
    pool = MaxPool2D(2)
    assert np.array_equal(pool.forward(x)[0, 0, 0], windows.max(axis=1))
    assert np.array_equal(pool._code[0, 0, 0], windows.argmax(axis=1))


def test_flatten_round_trips_shapes(rng):
    layer = Flatten()
    x = rng.standard_normal((3, 2, 4, 4))
    assert layer.forward(x).shape == (3, 32)
    assert layer.backward(np.ones((3, 32))).shape == x.shape


def test_maxpool_windows_of_more_than_256_offsets_route_the_gradient_to_their_maximum(rng):
    # 17 x 17 = 289 offsets: more than one byte can number.
    x = rng.standard_normal((2, 1, 18, 17))
    pool = MaxPool2D(17, 1)
    out = pool.forward(x, training=True)
    expected, reference_backward = reference_maxpool(x, 17, 1)
    dout = rng.standard_normal(out.shape)
    assert np.array_equal(out, expected) and np.allclose(pool.backward(dout), reference_backward(dout))


def test_conv2d_gives_the_same_results_after_a_larger_batch_used_its_buffers(rng, method):
    # A smaller batch takes the front of buffers a larger one made: the padding must read zero again.
    layer = conv(2, 3, 3, rng, method, padding=1, dtype=np.float64)
    small, large = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((5, 2, 5, 5)) + 10
    before = layer.forward(small, training=True).copy()
    layer.backward(np.ones((5, 3, 5, 5))[:2])
    layer.forward(large, training=True)
    layer.backward(np.ones((5, 3, 5, 5)))
    assert np.array_equal(layer.forward(small, training=True), before)
    assert np.allclose(layer.forward(small), reference_conv(small, layer.W.value, layer.b.value, 1, 1))


@pytest.mark.parametrize("rows, length, columns", [(26, 1000, 32), (3, 7, 2), (5, 1, 4)])
def test_a_product_split_along_its_sum_equals_the_whole_product(rows, length, columns, threads, rng):
    # Each thread sums its own stretch of the products (a first layer's filter gradient on 2
    # cores); a sum shorter than the threads are many is not split.
    a = rng.standard_normal((rows, length)).astype(np.float32)
    b = rng.standard_normal((length, columns)).astype(np.float32)
    got = parallel.summed_matmul(a, b)
    assert got.shape == (rows, columns) and got.dtype == np.float32
    assert np.allclose(got, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-4, atol=1e-4)


def test_a_forked_process_runs_split_passes_with_its_own_threads(threads):
    # A child forked after the pool was made (a process pool reading digits) must not wait on
    # threads that exist only in its parent.
    import multiprocessing

    a = np.arange(10.0)
    parallel.elementwise(np.copyto, [np.empty_like(a), a])
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(_relu_sum, (a - 5,)).get(timeout=60) == 10.0


@pytest.mark.parametrize("block", [1, 7, 30, 1000])
def test_a_pass_in_cache_sized_blocks_covers_every_row_once_and_never_cuts_one(threads, block):
    # Rows of 6 numbers: a block of 30 takes 5 rows per call, one of 7 or 1 still a whole row.
    a = np.arange(17 * 6, dtype=np.float32).reshape(17, 6)
    out, seen = np.zeros_like(a), []

    def add_one(rows: np.ndarray, into: np.ndarray) -> None:
        seen.append(len(rows))
        np.add(rows, 1, out=into)

    parallel.elementwise(add_one, [a, out], axis=0, block=block)
    assert np.array_equal(out, a + 1) and sum(seen) == 17
    rows = max(1, block // 6)
    assert max(seen) <= rows and len(seen) >= math.ceil(17 / rows)


def _relu_sum(a):
    return float(ReLU().forward(a).sum())


def test_a_layer_with_one_input_channel_convolves_by_patches_and_the_second_layers_by_the_fourier_transform(rng):
    # The transforms cost more than they save for one input channel; for 32 they save most of the arithmetic.
    assert not Conv2D.create(1, 32, 5, rng, padding=2).by_fourier((1, 28, 28))
    assert not Conv2D.create(1, 16, 5, rng).by_fourier((1, 28, 28))
    assert Conv2D.create(32, 64, 5, rng, padding=2).by_fourier((32, 14, 14))
    # The reading model's second layer (16 -> 32 on 12 x 12 maps): by patches its products are
    # about as much arithmetic, but the patch matrix's trips through memory cost more than the transforms.
    assert Conv2D.create(16, 32, 5, rng).by_fourier((16, 12, 12))


def test_the_reading_models_second_layer_reads_a_photos_few_digits_by_patches_and_trains_by_the_transform(rng):
    # For a handful of images the filters' own transforms, made once per call, cost more than the
    # patches; a training batch spreads them thin. Either way, backward follows the forward pass's way.
    layer = Conv2D.create(16, 32, 5, rng, dtype=np.float64)
    assert not layer.by_fourier((16, 12, 12), images=4, training=False)
    assert layer.by_fourier((16, 12, 12), images=128, training=True)
    for images, training in [(4, False), (128, True)]:
        x = rng.standard_normal((images, 16, 12, 12))
        out = layer.forward(x, training=training)
        assert layer._run._fourier == (images == 128)
        dout = rng.standard_normal(out.shape)
        dx = layer.backward(dout)
        expected_dx, expected_dW, _ = reference_conv_gradients(x, layer.W.value, dout, 1, 0)
        assert np.allclose(out, reference_conv(x, layer.W.value, layer.b.value, 1, 0))
        assert np.allclose(dx, expected_dx) and np.allclose(layer.W.grad, expected_dW)


def test_both_methods_give_the_same_float32_results_on_the_presets_second_layer(rng):
    x = rng.random((6, 32, 14, 14), dtype=np.float32)
    by_patches, by_fourier = (conv(32, 64, 5, np.random.default_rng(0), m, padding=2) for m in ("patches", "fourier"))
    by_patches.b.value[:] = by_fourier.b.value[:] = rng.standard_normal(64).astype(np.float32)
    out = by_patches.forward(x, training=True)
    assert by_fourier.forward(x, training=True).dtype == np.float32
    assert np.allclose(by_fourier.forward(x, training=True), out, rtol=1e-4, atol=1e-4)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dx = by_patches.backward(dout)
    assert np.allclose(by_fourier.backward(dout), dx, rtol=1e-4, atol=1e-4)
    for patches, spectral in zip(by_patches.parameters(), by_fourier.parameters(), strict=True):
        assert np.allclose(spectral.grad, patches.grad, rtol=1e-4, atol=1e-3)


def matches_reference(layer, x, stride, padding, rng) -> bool:
    """Whether the layer's output, dX and dW on x agree with the plain loops."""
    assert fourier.transform_length(x.shape[2], layer.W.value.shape[2], stride, padding) < x.shape[2] + 2 * padding
    out = layer.forward(x, training=True)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    plain = reference_conv_gradients(x, layer.W.value, dout, stride, padding)
    return np.allclose(out, reference_conv(x, layer.W.value, layer.b.value, stride, padding)) and all(
        np.allclose(fast, expected) for fast, expected in zip([dx, layer.W.grad], plain[:2], strict=True)
    )


@pytest.mark.parametrize("size,kernel,stride,padding", [(9, 3, 1, 1), (14, 5, 1, 2), (9, 3, 2, 1), (8, 5, 2, 1), (5, 3, 1, 4), (3, 5, 1, 2)])
def test_the_shortest_transform_that_nothing_wraps_around_in_is_exactly_long_enough(size, kernel, stride, padding, rng):
    # The transform is exactly as long as the bound in digitnet.nn.fourier (shorter than the
    # padded input), and the results are still right.
    x = rng.standard_normal((3, 2, size, size))
    layer = conv(2, 3, kernel, rng, "fourier", stride=stride, padding=padding, dtype=np.float64)
    assert matches_reference(layer, x, stride, padding, rng)


def test_the_presets_second_convolution_is_transformed_on_16_points_not_its_padded_18():
    assert fourier.transform_shape((14, 14), (5, 5), 1, 2) == (16, 16)


def test_the_transform_is_as_long_as_its_bound_not_rounded_to_a_product_of_small_primes():
    # 13 pixels padded by 1 need 14 points; an FFT would have been given 15 (3 x 5).
    assert fourier.transform_shape((13, 13), (3, 3), 1, 1) == (14, 14)
