"""Convolution and pooling for images batched as x : (N, C, H, W) (samples, channels, rows, columns).

Both work on all windows at once. A convolution computes the same sums in one of two ways,
whichever costs less for its shape, its batch and whether a backward pass follows:

- by patches (im2col): every kh x kw patch of the padded input is gathered into one matrix,
  multiplied with the filters in one product. The Python loops run over channels and the
  positions inside a kernel (the patches are copied one kernel row of one channel at a time,
  so each channel's image stays in the cache while its patches are copied), never over single
  samples, pixels or filters. A layer with one input channel (the first) goes this way, and
  any layer reading a photo's few digits.
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

import numpy as np

from digitnet.nn.base import Layer
from digitnet.nn.conv_run import ConvRun, output_size
from digitnet.nn.parallel import elementwise, in_order_of
from digitnet.nn.parameter import Parameter

# Pooling's passes run on blocks of about this many input numbers (1 MB of float32), each block
# through every pass while it is in the cache, rather than each pass over the whole batch.
POOL_BLOCK = 1 << 18


def first_max_of_four(views: list[np.ndarray], out: np.ndarray, code: np.ndarray) -> None:
    """A 2 x 2 window's maximum and which offset k = 2 u + v first holds it, row by row, from the
    four offsets' views (a, b, c, d) of one shape: out = max(max(a, b), max(c, d)), and
    code = 2 [bottom > top] + (the winning row's [right > left]). Strict comparisons give a tie
    to the earlier offset, as the general rule does; the passes over float numbers are six
    instead of ten, and the rest run on bytes."""
    a, b, c, d = views
    np.maximum(a, b, out=out)  # the top row's maximum, for now
    bottom = np.maximum(c, d)
    lower = np.greater(bottom, out)  # the maximum lies in the bottom row
    np.maximum(out, bottom, out=out)
    column = np.greater(b, a)  # right of left, in the top row ...
    switch = np.greater(d, c)  # ... and in the bottom row
    # column = the bottom row's where lower, the top row's elsewhere: column ^= (column ^ switch) & lower
    switch ^= column
    switch &= lower
    column ^= switch
    np.left_shift(lower.view(np.uint8), 1, out=code)
    code += column.view(np.uint8)


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

    How the sums are computed (by patches or by the DFT, in the batch-last layout, with buffers
    kept from batch to batch) is digitnet.nn.conv_run's: backward must follow the forward pass
    it belongs to, as it does in training and in the traced step.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0, name: str = "conv") -> None:
        self.W = Parameter(f"{name}.W", W)
        self.b = Parameter(f"{name}.b", b)
        self.stride, self.padding, self.name = stride, padding, name
        # How the sums are computed, kept apart from what they are (digitnet.nn.conv_run).
        self._run = ConvRun(stride, padding)

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

    def by_fourier(self, in_shape: tuple[int, int, int], images: int | None = None, training: bool = True) -> bool:
        """Whether this layer convolves ``images`` inputs of per-sample shape (C, H, W) by the DFT
        (digitnet.nn.fourier), in training or (``training`` False) in a forward pass alone; ``images``
        None: a batch large enough that the per-call costs do not count."""
        return self._run.uses_fourier(self.W.value, in_shape, images, training)

    @property
    def method(self) -> str:
        """How it runs: "auto", or "patches" or "fourier" forced (digitnet.nn.conv_run)."""
        return self._run.method

    @method.setter
    def method(self, value: str) -> None:
        self._run.method = value

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """out = conv(x; W) + b : (N, F, H', W') for x : (N, C, H, W); see the class docstring."""
        return self._run.forward(x, self.W.value, self.b.value, training)

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        """Stores dW and db, returns dX : (N, C, H, W) (None unless need_dX) from dout : (N, F, H', W')."""
        dW, db, dX = self._run.backward(dout, self.W.value, need_dX)
        self.W.grad[...] = dW
        self.b.grad[...] = db
        return dX

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
            if len(views) == 4:
                first_max_of_four(views, outs, codes)
                return
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

        elementwise(pool, [x, out, code], axis=self._split_axis(x), block=POOL_BLOCK)
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
        elementwise(route, [dout, self._code, dx], axis=self._split_axis(self._x), block=POOL_BLOCK * dout.size // self._x.size)
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
