"""Convolution and pooling for images batched as x : (N, C, H, W) (samples, channels, rows, columns).

Both work on all windows at once. A convolution gathers every kh x kw patch of the padded
input into one matrix (im2col) and multiplies it with the filters in one product; pooling
compares the strided views of the input at each offset of the window. The Python loops run
over the kh * kw positions inside a kernel (and over cache-sized tiles of a transpose),
never over single samples, pixels or filters.
"""

import numpy as np

from digitnet.nn.base import Layer
from digitnet.nn.parameter import Parameter


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Positions a kernel takes along one axis: (size + 2 padding - kernel) // stride + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def transpose(a: np.ndarray, out: np.ndarray | None = None, tile: int = 256) -> np.ndarray:
    """a : (R, M) -> a^T : (M, R), a C-contiguous copy (into ``out`` when given), tile by tile.

    Copying a.T element by element jumps a whole row for every number read or written;
    256 x 256 tiles keep what is read and written in the cache, which halves the time for
    the (filters x pixels, batch) matrices of a convolution.
    """
    R, M = a.shape
    out = np.empty((M, R), dtype=a.dtype) if out is None else out
    for row in range(0, R, tile):
        for col in range(0, M, tile):
            out[col : col + tile, row : row + tile] = a[row : row + tile, col : col + tile].T
    return out


# How a convolution lays out a batch of images inside, as a permutation of (N, C, H, W).
BATCH_SECOND = (1, 0, 2, 3)  # (C, N, H, W): each copy moves whole rows of W numbers
BATCH_LAST = (1, 2, 3, 0)  # (C, H, W, N): each copy moves runs of W N numbers


def reorder(shape: tuple[int, int, int, int], order: tuple[int, ...]) -> tuple[int, ...]:
    """The shape (N, C, H, W) laid out in ``order``."""
    return tuple(shape[axis] for axis in order)


def spatial(order: tuple[int, ...], rows: slice, columns: slice) -> tuple[slice, ...]:
    """An index of an array laid out in ``order`` that takes ``rows`` and ``columns`` of every image."""
    index = [slice(None)] * 4
    index[order.index(2)], index[order.index(3)] = rows, columns
    return tuple(index)


def to_layout(x: np.ndarray, order: tuple[int, ...], out: np.ndarray | None = None) -> np.ndarray:
    """x : (N, C, H, W) -> the same numbers laid out in ``order``, a C-contiguous copy (into ``out``)."""
    if order == BATCH_LAST:  # a plain (N, C H W) -> (C H W, N) transpose, done in tiles
        return transpose(x.reshape(len(x), -1), out=None if out is None else out.reshape(-1, len(x))).reshape(
            reorder(x.shape, order)
        )
    out = np.empty(reorder(x.shape, order), dtype=x.dtype) if out is None else out
    out[...] = x.transpose(order)
    return out


def from_layout(a: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """The inverse of to_layout: a laid out in ``order`` -> a new C-contiguous (N, C, H, W) array."""
    if order == BATCH_LAST and a.flags.c_contiguous:
        N = a.shape[-1]
        return transpose(a.reshape(-1, N)).reshape(N, *a.shape[:-1])
    return np.ascontiguousarray(a.transpose(np.argsort(order)))


class Conv2D(Layer):
    """A 2-D convolution (strictly, a cross-correlation, as in every deep-learning library).

    forward:  out[n, f, i, j] = b[f] + sum over c, u, v of W[f, c, u, v] * xp[n, c, i*s + u, j*s + v]
              x : (N, C, H, W), W : (F, C, kh, kw), b : (F,), out : (N, F, H', W'),
              xp = x zero-padded by p, H' = (H + 2p - kh) // s + 1 (and the same for W').
              As matrices: cols : (C kh kw, N H' W') holds one patch per column, out = W_mat @ cols + b,
              W_mat = W reshaped to (F, C kh kw); the columns (n, i, j) go in the layout's order.
    backward: dW_mat = dout_mat @ cols^T,  db = sum of dout over n, i, j,  (dout_mat : (F, N H' W'))
              dX: dcols = W_mat^T @ dout_mat, each kernel offset's rows added back to the input
              positions that offset read (col2im, one offset at a time).

    Inside, the batch's images are laid out as (C, N, H, W), or as (C, H, W, N) when the
    output images are small (under ``batch_last_below`` pixels): copying between images and
    patches then moves runs of W' N numbers instead of rows of W'. For the preset's second
    convolution (14 x 14 outputs) that made the copies three times faster; for its first
    (28 x 28) the rows are long enough, and the transposes the batch-last layout needs cost
    more than they save. Inputs and outputs are (N, C, H, W), as for every other layer.

    The big intermediate arrays live in buffers reused from batch to batch, so backward must
    follow the forward pass it belongs to, as it does in training and in the traced step.
    A batch of another size replaces them: fresh arrays outside training instead kept both
    sets alive and doubled the preset's peak memory while training (602 MB to 1,187 MB).
    """

    batch_last_below = 400

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0, name: str = "conv") -> None:
        self.W = Parameter(f"{name}.W", W)
        self.b = Parameter(f"{name}.b", b)
        self.stride, self.padding, self.name = stride, padding, name
        self._scratch: dict[str, np.ndarray] = {}

    def _buffer(self, key: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        """A scratch array kept from one batch to the next, zero when first made; never returned.

        The patch matrix of a batch is large (800 x 50,176 floats, 160 MB, for the preset's
        second convolution on 256 images). Asking the operating system for that much fresh
        memory every batch costs more than filling it, since every new page must be mapped
        and zeroed: reusing one buffer made this layer's forward pass 3 times faster.
        """
        buffer = self._scratch.get(key)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            buffer = self._scratch[key] = np.zeros(shape, dtype=dtype)
        return buffer

    def _window(self, order: tuple[int, ...], u: int, v: int, Ho: int, Wo: int) -> tuple[slice, ...]:
        """The part of the padded input (laid out in ``order``) that kernel offset (u, v) reads."""
        s = self.stride
        return spatial(order, slice(u, u + s * Ho, s), slice(v, v + s * Wo, s))

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

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        F, C, kh, kw = self.W.value.shape
        N, _, H, W = x.shape
        p = self.padding
        Ho, Wo = output_size(H, kh, self.stride, p), output_size(W, kw, self.stride, p)
        order = BATCH_LAST if Ho * Wo < self.batch_last_below else BATCH_SECOND
        # The zero-padded input in that layout; only the inside is written, so the border
        # stays zero from when the buffer was made.
        xp = self._buffer("xp", reorder((N, C, H + 2 * p, W + 2 * p), order), x.dtype)
        xp[spatial(order, slice(p, p + H), slice(p, p + W))] = x.transpose(order)
        # The patch matrix, one column per output position: cols[(c, u, v), (n, i, j)] =
        # xp[n, c, i*s + u, j*s + v], filled one kernel offset (u, v) at a time.
        out_shape = reorder((N, F, Ho, Wo), order)[1:]  # the (n, i, j) axes, in layout order
        cols = self._buffer("cols", (C, kh, kw, *out_shape), x.dtype)
        for u in range(kh):
            for v in range(kw):
                cols[:, u, v] = xp[self._window(order, u, v, Ho, Wo)]
        self._cols = cols.reshape(C * kh * kw, -1)
        self._input_shape, self._order = x.shape, order
        out = self.W.value.reshape(F, -1) @ self._cols  # (F, N H' W') in layout order
        out += self.b.value[:, None]
        return from_layout(out.reshape(F, *out_shape), order)  # (N, F, H', W'), a new array

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        F, C, kh, kw = self.W.value.shape
        N, _, H, W = self._input_shape
        _, _, Ho, Wo = dout.shape
        order, p = self._order, self.padding
        dout_mat = to_layout(dout, order, out=self._buffer("dout", reorder(dout.shape, order), dout.dtype))
        dout_mat = dout_mat.reshape(F, -1)  # (F, N H' W') in layout order
        np.matmul(dout_mat, self._cols.T, out=self.W.grad.reshape(F, -1))
        np.sum(dout_mat, axis=1, out=self.b.grad)
        if not need_dX:
            return None
        dcols = self._buffer("dcols", (C * kh * kw, dout_mat.shape[1]), dout.dtype)
        np.matmul(self.W.value.reshape(F, -1).T, dout_mat, out=dcols)
        dcols = dcols.reshape(C, kh, kw, *reorder((N, C, Ho, Wo), order)[1:])
        # Each kernel offset (u, v) sends its rows of dcols back to the input pixels it read,
        # a strided slice; overlapping windows add up.
        dxp = np.zeros(reorder((N, C, H + 2 * p, W + 2 * p), order), dtype=dout.dtype)
        for u in range(kh):
            for v in range(kw):
                dxp[self._window(order, u, v, Ho, Wo)] += dcols[:, u, v]
        return from_layout(dxp[spatial(order, slice(p, p + H), slice(p, p + W))], order)  # (N, C, H, W)

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
    """

    def __init__(self, size: int = 2, stride: int | None = None) -> None:
        self.size = size
        self.stride = stride or size

    def _offsets(self, x: np.ndarray, Ho: int, Wo: int) -> list[np.ndarray]:
        """For each offset (u, v) in the window, row by row, the strided view x[:, :, i*s + u, j*s + v] : (N, C, H', W')."""
        s = self.stride
        return [x[:, :, u : u + s * Ho : s, v : v + s * Wo : s] for u in range(self.size) for v in range(self.size)]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        N, C, H, W = x.shape
        Ho, Wo = output_size(H, self.size, self.stride, 0), output_size(W, self.size, self.stride, 0)
        # One pass per offset in the window (k * k of them), each over all windows at once.
        out = None
        for view in self._offsets(x, Ho, Wo):
            out = view.copy() if out is None else np.maximum(out, view, out=out)
        self._x, self._out = x, out
        return out

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray:
        N, C, H, W = self._x.shape
        _, _, Ho, Wo = dout.shape
        s = self.stride
        # Windows that tile the input exactly (the usual 2 x 2, stride 2) write every input
        # pixel once: dx needs no zeros first and no adding.
        tiles = s == self.size and (H, W) == (s * Ho, s * Wo)
        dx = np.empty_like(self._x) if tiles else np.zeros_like(self._x)
        remaining = dout.copy()  # the gradient of windows whose maximum is not found yet
        views, targets = self._offsets(self._x, Ho, Wo), self._offsets(dx, Ho, Wo)
        for k, (view, target) in enumerate(zip(views, targets, strict=True)):
            # The first offset holding a window's maximum takes its whole gradient (0 or 1 times
            # remaining, exactly), and later ties get nothing.
            share = np.multiply(remaining, view == self._out, out=target if tiles else None)
            if not tiles:
                # += : with overlapping windows (stride < size) one pixel can be the max of several.
                target += share
            if k < len(views) - 1:
                remaining -= share
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
