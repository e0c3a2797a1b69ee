"""Convolution and pooling for images batched as x : (N, C, H, W) (samples, channels, rows, columns).

Both work on all windows at once. A convolution gathers every kh x kw patch of the padded
input into one matrix (im2col) and multiplies it with the filters in one product; pooling
compares the strided views of the input at each offset of the window. The only Python
loops run over the kh * kw positions inside a kernel, never over samples, pixels or filters.
"""

import numpy as np

from digitnet.nn.base import Layer
from digitnet.nn.parameter import Parameter


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Positions a kernel takes along one axis: (size + 2 padding - kernel) // stride + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def pad(x: np.ndarray, padding: int) -> np.ndarray:
    """Zero padding of the two spatial axes of x : (N, C, H, W)."""
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding))) if padding else x


class Conv2D(Layer):
    """A 2-D convolution (strictly, a cross-correlation, as in every deep-learning library).

    forward:  out[n, f, i, j] = b[f] + sum over c, u, v of W[f, c, u, v] * xp[n, c, i*s + u, j*s + v]
              x : (N, C, H, W), W : (F, C, kh, kw), b : (F,), out : (N, F, H', W'),
              xp = x zero-padded by p, H' = (H + 2p - kh) // s + 1 (and the same for W').
              As matrices: cols : (C kh kw, N H' W') holds one patch per column, out = W_mat @ cols + b,
              W_mat = W reshaped to (F, C kh kw).
    backward: dW_mat = dout_mat @ cols^T,  db = sum of dout over n, i, j,  (dout_mat : (F, N H' W'))
              dX: W[:, :, u, v]^T @ dout_mat for each kernel offset (u, v), added back to the
              input positions that offset read (col2im, one offset at a time).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0, name: str = "conv") -> None:
        self.W = Parameter(f"{name}.W", W)
        self.b = Parameter(f"{name}.b", b)
        self.stride, self.padding, self.name = stride, padding, name

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
        s = self.stride
        xp = pad(x, self.padding)
        Ho, Wo = output_size(H, kh, s, self.padding), output_size(W, kw, s, self.padding)
        # The im2col matrix, one column per output position: cols[(c, u, v), (n, i, j)] =
        # xp[n, c, i*s + u, j*s + v]. Filled one kernel offset (u, v) at a time: each is a
        # plain strided copy, far faster than reshaping the 6-d window view in one go.
        cols = np.empty((C, kh, kw, N, Ho, Wo), dtype=x.dtype)
        for u in range(kh):
            for v in range(kw):
                cols[:, u, v] = xp[:, :, u : u + s * Ho : s, v : v + s * Wo : s].transpose(1, 0, 2, 3)
        self._cols = cols.reshape(C * kh * kw, N * Ho * Wo)
        self._shapes = (x.shape, Ho, Wo)
        out = self.W.value.reshape(F, -1) @ self._cols  # (F, N H' W')
        out += self.b.value[:, None]
        # Back to (N, F, H', W'), contiguous: the ReLU and pooling that follow run faster on it.
        return np.ascontiguousarray(out.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3))

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        F, C, kh, kw = self.W.value.shape
        (N, _, H, W), Ho, Wo = self._shapes
        dout_f = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N H' W')
        np.matmul(dout_f, self._cols.T, out=self.W.grad.reshape(F, -1))
        np.sum(dout_f, axis=1, out=self.b.grad)
        if not need_dX:
            return None
        p, s = self.padding, self.stride
        dxp = np.zeros((C, N, H + 2 * p, W + 2 * p), dtype=dout.dtype)
        # dX: every kernel offset (u, v) sends W[:, :, u, v]^T dout back to the input pixels it
        # read, a strided slice (overlapping windows add up). One small product per offset
        # instead of the whole dcols = W_mat^T dout_mat: no 25x-sized intermediate in memory.
        W_by_offset = self.W.value.transpose(2, 3, 1, 0)  # (kh, kw, C, F)
        for u in range(kh):
            for v in range(kw):
                dxp[:, :, u : u + s * Ho : s, v : v + s * Wo : s] += (W_by_offset[u, v] @ dout_f).reshape(C, N, Ho, Wo)
        return np.ascontiguousarray(dxp[:, :, p : p + H, p : p + W].transpose(1, 0, 2, 3))

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

    def _offsets(self, x: np.ndarray, Ho: int, Wo: int):
        """For each offset (u, v) in the window, the strided view x[:, :, i*s + u, j*s + v] : (N, C, H', W')."""
        s = self.stride
        return [(u, v, x[:, :, u : u + s * Ho : s, v : v + s * Wo : s]) for u in range(self.size) for v in range(self.size)]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        N, C, H, W = x.shape
        Ho, Wo = output_size(H, self.size, self.stride, 0), output_size(W, self.size, self.stride, 0)
        # One pass per offset in the window (k * k of them), each over all windows at once.
        out = None
        for _, _, view in self._offsets(x, Ho, Wo):
            out = view.copy() if out is None else np.maximum(out, view, out=out)
        self._x, self._out = x, out
        return out

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray:
        N, C, Ho, Wo = dout.shape
        dx = np.zeros_like(self._x)
        s = self.stride
        taken = np.zeros(dout.shape, dtype=bool)  # windows whose maximum has been found
        for u, v, view in self._offsets(self._x, Ho, Wo):
            first = (view == self._out) & ~taken
            taken |= first
            # += : with overlapping windows (stride < size) one pixel can be the max of several.
            dx[:, :, u : u + s * Ho : s, v : v + s * Wo : s] += np.where(first, dout, 0)
        return dx

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

    def spec(self) -> dict:
        return {"type": "reshape", "shape": list(self.shape)}

    def __repr__(self) -> str:
        return f"Reshape({self.shape})"


class Flatten(Reshape):
    """(N, C, H, W) -> (N, C H W): from feature maps to the vector a dense layer reads."""

    def __init__(self) -> None:
        super().__init__((-1,))

    def spec(self) -> dict:
        return {"type": "flatten"}

    def __repr__(self) -> str:
        return "Flatten()"
