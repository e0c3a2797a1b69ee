"""Convolution and pooling for images batched as x : (N, C, H, W) (samples, channels, rows, columns).

Both work on all windows at once. A convolution computes the same sums in one of two ways,
whichever costs less for its shape:

- by patches (im2col): every kh x kw patch of the padded input is gathered into one matrix,
  multiplied with the filters in one product. The Python loops run over channels and the
  positions inside a kernel (the patches are copied one kernel row of one channel at a time,
  so each channel's image stays in the cache while its patches are copied), never over single
  samples, pixels or filters. A layer with one input channel (the first) goes this way.
- by the discrete Fourier transform (digitnet.nn.fourier): the correlation theorem turns
  every window into a pointwise product of spectra, one small matrix product over the channels
  per frequency: about a seventh of the arithmetic for the preset's second layer.

Pooling compares the strided views of the input at each offset of the window.

Memory layout. Every array between layers has the logical shape (N, C, H, W), but a
convolution stores its images batch-last, as (C, H, W, N) in memory, and returns its
output as a transposed view of that memory rather than a copy. The ReLU and max-pool that
follow work in whatever memory order they are given (NumPy's elementwise passes follow it),
so the next convolution finds its input, and each convolution its output gradient, already
in the order it needs: no layer transposes a whole batch. Batch-last makes every copy
between images and patches move runs of W' N numbers (3,584 for the preset's second layer)
instead of rows of W'.

Large elementwise passes run split over the BLAS's threads (digitnet.nn.parallel).
"""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from digitnet.nn import fourier
from digitnet.nn.base import Layer
from digitnet.nn.parallel import elementwise, in_order_of, parallel_ranges
from digitnet.nn.parameter import Parameter

# The batch-last layout: axes (N, C, H, W) of an image batch in the order they lie in memory.
BATCH_LAST = (1, 2, 3, 0)
# The inverse permutation: a (C, H, W, N) array seen as (N, C, H, W).
FROM_BATCH_LAST = (3, 0, 1, 2)


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Positions a kernel takes along one axis: (size + 2 padding - kernel) // stride + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def batch_last(x: np.ndarray) -> np.ndarray:
    """x : (N, C, H, W) -> the view (C, H, W, N) of the same numbers (no copy)."""
    return x.transpose(BATCH_LAST)


def as_batch_first(a: np.ndarray) -> np.ndarray:
    """a : (C, H, W, N) -> the view (N, C, H, W) of the same numbers (no copy)."""
    return a.transpose(FROM_BATCH_LAST)


def copy_into(out: np.ndarray, a: np.ndarray, axis: int = 0) -> None:
    """out[...] = a, both of one shape, split over threads along ``axis``."""
    elementwise(np.copyto, [out, a], axis=axis)


class Conv2D(Layer):
    """A 2-D convolution (strictly, a cross-correlation, as in every deep-learning library).

    forward:  out[n, f, i, j] = b[f] + sum over c, u, v of W[f, c, u, v] * xp[n, c, i*s + u, j*s + v]
              x : (N, C, H, W), W : (F, C, kh, kw), b : (F,), out : (N, F, H', W'),
              xp = x zero-padded by p, H' = (H + 2p - kh) // s + 1 (and the same for W').
              As matrices: cols : (C kh kw + 1, H' W' N) holds one patch per column, its columns
              (i, j, n) in batch-last order, and a last row of ones; out_mat = [W_mat | b] @ cols,
              with W_mat = W reshaped to (F, C kh kw): the bias is the weight of a constant input.
    backward: [dW_mat | db] = dout_mat @ cols^T  (dout_mat : (F, H' W' N)): the row of ones gives
              db = sum of dout over n, i, j in the same product.
              dX: dcols = W_mat^T @ dout_mat, each kernel offset's rows added back to the input
              positions that offset read (col2im, one channel at a time, so that channel's
              gradient image stays in the cache through the kh kw additions).
    By the DFT (``by_fourier``), the same three results come from products of spectra at each
    frequency k: Out^[k] = conj(W^[k]) @ X^[k], dW^[k] = conj(D^[k]) @ X^[k]^T and
    dX^[k] = W^[k]^T @ D^[k] (digitnet.nn.fourier states why each holds and why nothing wraps
    around); db is the zero frequency of dout, its sum.

    Inside, images lie batch-last, (C, H, W, N) in memory (see the module docstring): the
    output is a (N, F, H', W') view of the product's (F, H' W' N) result, and a gradient
    dout that arrives in that order is read without a copy.

    The big intermediate arrays live in buffers reused from batch to batch, so backward must
    follow the forward pass it belongs to, as it does in training and in the traced step.
    A batch of another size reuses the front of them (see _buffer).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0, name: str = "conv") -> None:
        self.W = Parameter(f"{name}.W", W)
        self.b = Parameter(f"{name}.b", b)
        self.stride, self.padding, self.name = stride, padding, name
        self._scratch: dict[str, np.ndarray] = {}
        # "auto": by the DFT where that costs less (digitnet.nn.fourier), else by im2col;
        # "patches" or "fourier" forces one (the tests check each against the plain loops).
        self.method = "auto"

    def _buffer(self, key: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        """A scratch array kept from one batch to the next, zero whenever its shape changes; never returned.

        The patch matrix of a batch is large (801 x 50,176 floats, 160 MB, for the preset's
        second convolution on 256 images). Asking the operating system for that much fresh
        memory costs more than filling it, since every new page must be mapped and zeroed,
        so one buffer is reused. Its memory only grows: a smaller batch (an epoch's last, a
        chunk of the validation set) takes the front of it, rather than a fresh allocation at
        every change of size.
        ``_scratch[key]`` holds the array last handed out; its ``base`` is the whole memory.
        """
        current = self._scratch.get(key)
        if current is not None and current.shape == shape and current.dtype == dtype:
            return current
        size = math.prod(shape)
        memory = None if current is None else current.base
        if memory is None or memory.size < size or memory.dtype != dtype:
            memory = np.zeros(size, dtype=dtype)  # fresh pages read as zero
        else:
            memory[:size] = 0
        self._scratch[key] = memory[:size].reshape(shape)
        return self._scratch[key]

    def _window(self, u: int, v: int, Ho: int, Wo: int) -> tuple[slice, slice]:
        """The rows and columns of the padded input that kernel offset (u, v) reads, for every output position."""
        s = self.stride
        return slice(u, u + s * Ho, s), slice(v, v + s * Wo, s)

    @classmethod
    def create(
        cls,
        in_channels: int,
        filters: int,
        kernel: int,
        rng: np.random.Generator,
        stride: int = 1,
        padding: int = 0,
        name: str = "conv",
        dtype=np.float32,
    ) -> "Conv2D":
        """He initialization for ReLU networks: W ~ Normal(0, 2 / (C kh kw)), b = 0."""
        fan_in = in_channels * kernel * kernel
        W = (rng.standard_normal((filters, in_channels, kernel, kernel)) * np.sqrt(2.0 / fan_in)).astype(dtype)
        return cls(W, np.zeros(filters, dtype=dtype), stride, padding, name)

    def parameters(self) -> list[Parameter]:
        return [self.W, self.b]

    def by_fourier(self, in_shape: tuple[int, int, int]) -> bool:
        """Whether this layer convolves inputs of per-sample shape (C, H, W) by the DFT (digitnet.nn.fourier)."""
        if self.method != "auto":
            return self.method == "fourier"
        F, C, kh, kw = self.W.value.shape
        _, H, W = in_shape
        _, Ho, Wo = self.output_shape(in_shape)
        p = self.padding
        return fourier.fourier_is_cheaper(C, F, kh, kw, Ho, Wo, *fourier.transform_shape(H + 2 * p, W + 2 * p))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        F, C, kh, kw = self.W.value.shape
        N, _, H, W = x.shape
        p = self.padding
        Ho, Wo = output_size(H, kh, self.stride, p), output_size(W, kw, self.stride, p)
        self._input_shape = x.shape
        self._fourier = self.by_fourier(x.shape[1:])
        # The zero-padded input, batch-last (by the DFT, padded further to the transform's size);
        # only the inside is written, so the border stays zero from when the buffer was made.
        padded = fourier.transform_shape(H + 2 * p, W + 2 * p) if self._fourier else (H + 2 * p, W + 2 * p)
        xp = self._buffer("xp", (C, *padded, N), x.dtype)
        copy_into(xp[:, p : p + H, p : p + W], batch_last(x), axis=1)
        if self._fourier:
            return self._forward_fourier(xp, Ho, Wo)
        # The patch matrix: cols[(c, u, v), (i, j, n)] = xp[c, i*s + u, j*s + v, n], and ones below.
        cols = self._buffer("cols", (C * kh * kw + 1, Ho * Wo * N), x.dtype)
        patches = cols[:-1].reshape(C, kh, kw, Ho, Wo, N)
        cols[-1] = 1
        # windows[c, u, v, i, j, n] = xp[c, i*s + u, j*s + v, n]: a view of xp in the shape of patches.
        s = self.stride
        windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::s, ::s].transpose(0, 4, 5, 1, 2, 3)

        def gather(start: int, stop: int) -> None:
            # One (channel, kernel row) at a time, channel by channel: a channel's padded image
            # stays in the cache while its kh kw rows are copied out of it, kw rows per call.
            for c, u in (divmod(row, kh) for row in range(start, stop)):
                patches[c, u] = windows[c, u]

        parallel_ranges(gather, C * kh, patches.size)
        self._cols = cols
        weights = np.concatenate([self.W.value.reshape(F, -1), self.b.value[:, None]], axis=1)  # (F, C kh kw + 1)
        out = weights @ cols  # (F, H' W' N), a new array
        return as_batch_first(out.reshape(F, Ho, Wo, N))  # (N, F, H', W'), a view

    def _forward_fourier(self, xp: np.ndarray, Ho: int, Wo: int) -> np.ndarray:
        """out = the correlation of each filter with the padded input xp : (C, L1, L2, N), by the DFT."""
        F = self.W.value.shape[0]
        L1, L2, N = xp.shape[1:]
        self._transform = (L1, L2)
        self._X_hat = self._buffer("X_hat", fourier.spectrum_shape(xp.shape), np.result_type(xp.dtype, np.complex64))
        p, H = self.padding, self._input_shape[2]
        fourier.spectrum_into(xp, self._X_hat, rows=slice(p, p + H))  # (C, L1, L2', N), kept for dW
        self._W_hat = fourier.filter_spectrum(self.W.value, (L1, L2))  # (L1 L2', F, C), kept for dX
        full = self._buffer("full", (F, L1, L2, N), xp.dtype)  # every stride-1 position
        out_hat = self._buffer("out_hat", fourier.spectrum_shape(full.shape), self._X_hat.dtype)
        s = self.stride
        fourier.correlate_into(self._X_hat, self._W_hat, out_hat, full, rows=slice(0, s * (Ho - 1) + 1))
        positions = full[:, : s * Ho : s, : s * Wo : s]  # (F, H', W', N): the output positions
        out = np.empty(positions.shape, dtype=full.dtype)  # a new array: it is returned

        def add_bias(start: int, stop: int) -> None:
            np.add(positions[start:stop], self.b.value[start:stop, None, None, None], out=out[start:stop])

        parallel_ranges(add_bias, F, out.size)
        return as_batch_first(out)  # (N, F, H', W'), a view

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        if self._fourier:
            return self._backward_fourier(dout, need_dX)
        F, C, kh, kw = self.W.value.shape
        N, _, H, W = self._input_shape
        _, _, Ho, Wo = dout.shape
        p = self.padding
        dout_mat = batch_last(dout)  # (F, H', W', N): a view, contiguous when dout came from the layers above
        if not dout_mat.flags.c_contiguous:
            dout_mat = self._buffer("dout", dout_mat.shape, dout.dtype)
            copy_into(dout_mat, batch_last(dout))
        dout_mat = dout_mat.reshape(F, -1)
        # [dW_mat | db] : (F, C kh kw + 1), a sum over all H' W' N positions. OpenBLAS on 2 threads
        # runs this product far slower when the result has fewer rows than columns (64 x 801 for
        # the preset's second layer) than as its transpose: compute the taller one.
        if self._cols.shape[0] > F:
            dWb = (self._cols @ dout_mat.T).T
        else:
            dWb = dout_mat @ self._cols.T
        self.W.grad[...] = dWb[:, :-1].reshape(self.W.grad.shape)
        self.b.grad[...] = dWb[:, -1]
        if not need_dX:
            return None
        dcols = self._buffer("dcols", (C * kh * kw, dout_mat.shape[1]), dout.dtype)
        np.matmul(self.W.value.reshape(F, -1).T, dout_mat, out=dcols)
        dpatches = dcols.reshape(C, kh, kw, Ho, Wo, N)
        dxp = np.zeros((C, H + 2 * p, W + 2 * p, N), dtype=dout.dtype)  # a new array: it is returned

        def scatter(start: int, stop: int) -> None:
            # Each kernel offset (u, v) sends its rows of dcols back to the input pixels it
            # read, a strided slice; overlapping windows add up. Threads take whole channels,
            # so no two of them add into the same pixel.
            for c in range(start, stop):
                for u in range(kh):
                    for v in range(kw):
                        dxp[(c, *self._window(u, v, Ho, Wo))] += dpatches[c, u, v]

        parallel_ranges(scatter, C, dcols.size)
        return as_batch_first(dxp[:, p : p + H, p : p + W])  # (N, C, H, W), a view

    def _backward_fourier(self, dout: np.ndarray, need_dX: bool) -> np.ndarray | None:
        """dW, db and dX of the forward pass by the DFT (digitnet.nn.fourier), from dout : (N, F, H', W')."""
        F, C, kh, kw = self.W.value.shape
        N, _, H, W = self._input_shape
        _, _, Ho, Wo = dout.shape
        p, s = self.padding, self.stride
        L1, L2 = self._transform
        # dout on the stride-1 grid of output positions, zero between and beyond them: only
        # the grid is written, so the rest stays zero from when the buffer was made.
        grid = self._buffer("grid", (F, L1, L2, N), dout.dtype)
        copy_into(grid[:, : s * Ho : s, : s * Wo : s], batch_last(dout))
        D_hat = self._buffer("D_hat", fourier.spectrum_shape(grid.shape), self._X_hat.dtype)
        fourier.spectrum_into(grid, D_hat, rows=slice(0, s * (Ho - 1) + 1))  # (F, L1, L2', N)
        X_conj = self._buffer("X_conj", self._X_hat.shape, self._X_hat.dtype)
        self.W.grad[...] = fourier.filter_gradient(self._X_hat, D_hat, X_conj, (L1, L2), (kh, kw))
        # db[f] = the sum of dout over n, i, j: each image's zero frequency is its sum / sqrt(L1 L2).
        self.b.grad[...] = D_hat[:, 0, 0, :].real.sum(axis=1) * np.sqrt(L1 * L2)
        if not need_dX:
            return None
        dX_hat = self._buffer("dX_hat", self._X_hat.shape, self._X_hat.dtype)
        dxp = np.empty((C, L1, L2, N), dtype=dout.dtype)  # a new array: it is returned
        fourier.input_gradient_into(D_hat, self._W_hat, dX_hat, dxp, rows=slice(p, p + H))
        return as_batch_first(dxp[:, p : p + H, p : p + W])  # (N, C, H, W), a view

    # Its description (digitnet.nn.base.Layer): how it is built, saved and explained.
    type = "conv2d"
    role = "weights"
    input_rank = 3
    name_prefix = "conv"
    words = (
        "slides each filter over the input maps and writes, at every position, the weighted sum "
        "of the patch there plus the filter's bias: one feature map per filter"
    )
    formula = "Z[f, i, j] = b[f] + sum over c, u, v of W[f, c, u, v] * X[c, i*s + u, j*s + v]"

    @classmethod
    def from_config(cls, entry: dict, in_shape: tuple[int, ...], rng: np.random.Generator, name: str, dtype) -> "Conv2D":
        """{"type": "conv2d", "filters": 32, "kernel": 5, "stride": 1, "padding": 2} reading in_shape = (C, H, W)."""
        stride, padding = entry.get("stride", 1), entry.get("padding", 0)
        return cls.create(in_shape[0], entry["filters"], entry["kernel"], rng, stride, padding, name=name, dtype=dtype)

    @classmethod
    def from_spec(cls, entry: dict, arrays, rng: np.random.Generator, name: str) -> "Conv2D":
        return cls(arrays[f"{name}.W"], arrays[f"{name}.b"], entry["stride"], entry["padding"], name=name)

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        """(C, H, W) -> (F, H', W') with H' = (H + 2p - kh) // s + 1."""
        F, _, kh, kw = self.W.value.shape
        _, H, W = in_shape
        return (int(F), output_size(H, kh, self.stride, self.padding), output_size(W, kw, self.stride, self.padding))

    def label(self) -> str:
        _, _, kh, kw = self.W.value.shape
        return f"conv {kh}x{kw}"

    def window(self) -> tuple[int, int, int]:
        return int(self.W.value.shape[2]), self.stride, self.padding

    def summary(self) -> str:
        F, C, kh, kw = self.W.value.shape
        return f"{F} filters of {C} x {kh} x {kw}, stride {self.stride}, padding {self.padding}"

    def spec(self) -> dict:
        F, C, kh, _ = self.W.value.shape
        return {
            "type": "conv2d",
            "in_channels": int(C),
            "filters": int(F),
            "kernel": int(kh),
            "stride": self.stride,
            "padding": self.padding,
        }

    def __repr__(self) -> str:
        F, C, kh, kw = self.W.value.shape
        return f"Conv2D({C}->{F}, {kh}x{kw}, stride={self.stride}, padding={self.padding})"


class MaxPool2D(Layer):
    """Max pooling: the largest value of each size x size window, stride apart.

    forward:  out[n, c, i, j] = max over u, v < size of x[n, c, i*s + u, j*s + v]
    backward: the gradient flows only to the position that held the maximum (the first
              one, in row-major order, when several tie):
              dx[n, c, i*s + u*, j*s + v*] += dout[n, c, i, j]

    Forward notes, for every window, which offset k = u size + v held its maximum (a one-byte
    code for windows up to 16 x 16), so backward is one pass per offset. Output and gradient keep the memory order of
    the input (batch-last after a convolution), and the passes run split over threads along
    the samples or channels, whichever is outer in memory.
    """

    def __init__(self, size: int = 2, stride: int | None = None) -> None:
        self.size = size
        self.stride = stride or size

    def _offsets(self, x: np.ndarray, Ho: int, Wo: int) -> list[np.ndarray]:
        """For each offset (u, v) in the window, row by row, the strided view x[:, :, i*s + u, j*s + v] : (N, C, H', W')."""
        s = self.stride
        return [x[:, :, u : u + s * Ho : s, v : v + s * Wo : s] for u in range(self.size) for v in range(self.size)]

    def _split_axis(self, x: np.ndarray) -> int:
        """The axis, samples (0) or channels (1), to split between threads: the outer one in memory."""
        return 0 if abs(x.strides[0]) * (x.shape[0] > 1) >= abs(x.strides[1]) * (x.shape[1] > 1) else 1

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        N, C, H, W = x.shape
        Ho, Wo = output_size(H, self.size, self.stride, 0), output_size(W, self.size, self.stride, 0)
        out = np.empty_like(self._offsets(x, Ho, Wo)[0])  # (N, C, H', W') in x's memory order
        # Which offset of each window held its maximum; one byte holds up to 256 offsets.
        code = np.empty_like(out, dtype=np.uint8 if self.size**2 <= 256 else np.uint16)

        def pool(xs: np.ndarray, outs: np.ndarray, codes: np.ndarray) -> None:
            # One pass per offset in the window (k * k of them), each over all windows at once.
            views = self._offsets(xs, Ho, Wo)
            np.copyto(outs, views[0])
            for view in views[1:]:
                np.maximum(outs, view, out=outs)
            # The code counts the offsets before the first one that holds the maximum:
            # pending is 1 while a window's maximum has not been met, and each offset adds it.
            # The last offset is never compared: a window that reaches it holds its maximum there.
            pending = np.not_equal(views[0], outs).view(np.uint8)
            np.copyto(codes, pending)
            for view in views[1:-1]:
                pending &= np.not_equal(view, outs).view(np.uint8)
                codes += pending

        elementwise(pool, [x, out, code], axis=self._split_axis(x))
        self._x, self._code = x, code
        return out

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray:
        N, C, H, W = self._x.shape
        _, _, Ho, Wo = dout.shape
        s = self.stride
        # Windows that tile the input exactly (the usual 2 x 2, stride 2) write every input
        # pixel once: dx needs no zeros first and no adding.
        tiles = s == self.size and (H, W) == (s * Ho, s * Wo)
        dx = np.empty_like(self._x) if tiles else np.zeros_like(self._x)  # in the input's memory order

        def route(douts: np.ndarray, codes: np.ndarray, dxs: np.ndarray) -> None:
            for k, target in enumerate(self._offsets(dxs, Ho, Wo)):
                share = np.multiply(douts, codes == k, out=target if tiles else None)
                if not tiles:
                    # += : with overlapping windows (stride < size) one pixel can be the max of several.
                    target += share

        dout = in_order_of(dout, self._code)  # a dense layer's gradient arrives batch-first
        elementwise(route, [dout, self._code, dx], axis=self._split_axis(self._x))
        return dx

    # Its description (digitnet.nn.base.Layer).
    type = "maxpool2d"
    role = "pool"
    input_rank = 3
    words = "keeps the largest value of each window of every map, so the next layer sees where a pattern occurred, give or take a pixel"
    formula = "A[c, i, j] = max over u, v < size of X[c, i*s + u, j*s + v]"
    backward_words = "each window's gradient goes to the one position that held its maximum, and nothing to the others"

    @classmethod
    def from_config(cls, entry: dict, in_shape, rng, name, dtype) -> "MaxPool2D":
        """{"type": "maxpool2d", "size": 2, "stride": 2} (the stride defaults to the size)."""
        return cls(entry.get("size", 2), entry.get("stride"))

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        C, H, W = in_shape
        return (C, output_size(H, self.size, self.stride, 0), output_size(W, self.size, self.stride, 0))

    def label(self) -> str:
        return f"max pool {self.size}x{self.size}"

    def window(self) -> tuple[int, int, int]:
        return self.size, self.stride, 0

    def summary(self) -> str:
        return f"the max of each {self.size} x {self.size} window, stride {self.stride}"

    def spec(self) -> dict:
        return {"type": "maxpool2d", "size": self.size, "stride": self.stride}

    def __repr__(self) -> str:
        return f"MaxPool2D({self.size}x{self.size}, stride={self.stride})"


class Reshape(Layer):
    """Reshape every sample: (N, *shape_in) -> (N, *shape). Flat pixel rows become images and back."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = tuple(shape)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._input_shape = x.shape
        return x.reshape(x.shape[0], *self.shape)

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray:
        return dout.reshape(self._input_shape)

    # Its description (digitnet.nn.base.Layer).
    type = "reshape"
    role = "reshape"
    words = "lays the same numbers out in another shape (a row of pixels as an image)"
    formula = "A = X reshaped to (N, *shape)"
    backward_words = "the gradient takes the input's shape back"

    @classmethod
    def from_config(cls, entry: dict, in_shape, rng, name, dtype) -> "Reshape":
        return cls(tuple(entry["shape"]))

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        return self.shape

    def known_input_shape(self) -> tuple[int, ...]:
        """A flat row of as many numbers as the shape holds."""
        return (int(np.prod(self.shape)),)

    def spec(self) -> dict:
        return {"type": "reshape", "shape": list(self.shape)}

    def __repr__(self) -> str:
        return f"Reshape({self.shape})"


class Flatten(Reshape):
    """(N, C, H, W) -> (N, C H W): from feature maps to the vector a dense layer reads."""

    def __init__(self) -> None:
        super().__init__((-1,))

    # Its description (digitnet.nn.base.Layer).
    type = "flatten"
    words = "lays the feature maps out as one vector, map after map, row after row, for the dense layer after it"
    formula = "A = X reshaped to (N, C H W)"

    @classmethod
    def from_config(cls, entry: dict, in_shape, rng, name, dtype) -> "Flatten":
        return cls()

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (int(np.prod(in_shape)),)

    def known_input_shape(self) -> None:
        return None

    def spec(self) -> dict:
        return {"type": "flatten"}

    def __repr__(self) -> str:
        return "Flatten()"
