"""Convolution and pooling for images batched as x : (N, C, H, W) (samples, channels, rows, columns).

Both work on all windows at once: ``windows`` views every kh x kw patch of the padded input
without copying (NumPy's sliding_window_view), so a convolution is one matrix product
between the patches and the filters (im2col). The only Python loops run over the kh * kw
positions inside a kernel, never over samples, pixels or filters.
"""

import numpy as np

from digitnet.nn.base import Layer
from digitnet.nn.parameter import Parameter


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Positions a kernel takes along one axis: (size + 2 padding - kernel) // stride + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def windows(x: np.ndarray, kh: int, kw: int, stride: int) -> np.ndarray:
    """All kh x kw patches of x : (N, C, H, W), stride apart: a view of shape (N, C, H', W', kh, kw)."""
    view = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    return view[:, :, ::stride, ::stride]


def pad(x: np.ndarray, padding: int) -> np.ndarray:
    """Zero padding of the two spatial axes of x : (N, C, H, W)."""
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding))) if padding else x


class Conv2D(Layer):
    """A 2-D convolution (strictly, a cross-correlation, as in every deep-learning library).

    forward:  out[n, f, i, j] = b[f] + sum over c, u, v of W[f, c, u, v] * xp[n, c, i*s + u, j*s + v]
              x : (N, C, H, W), W : (F, C, kh, kw), b : (F,), out : (N, F, H', W'),
              xp = x zero-padded by p, H' = (H + 2p - kh) // s + 1 (and the same for W').
              As matrices: cols : (N H' W', C kh kw) holds one patch per row, out = cols @ W_mat^T + b.
    backward: dW_mat = dout_mat^T @ cols,  db = sum of dout over n, i, j,
              dcols = dout_mat @ W_mat, added back to the patch positions they came from (col2im).
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
        N = x.shape[0]
        patches = windows(pad(x, self.padding), kh, kw, self.stride)  # (N, C, H', W', kh, kw), a view
        Ho, Wo = patches.shape[2], patches.shape[3]
        # One row per output position, channels and kernel offsets along the row: the im2col matrix.
        self._cols = patches.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * kh * kw)
        self._input_shape = x.shape
        out = self._cols @ self.W.value.reshape(F, -1).T  # (N H' W', F)
        out += self.b.value
        return out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        F, C, kh, kw = self.W.value.shape
        N, _, Ho, Wo = dout.shape
        dout_mat = dout.transpose(0, 2, 3, 1).reshape(-1, F)  # (N H' W', F)
        self.W.grad[...] = (dout_mat.T @ self._cols).reshape(self.W.value.shape)
        self.b.grad[...] = dout_mat.sum(axis=0)
        if not need_dX:
            return None
        dcols = (dout_mat @ self.W.value.reshape(F, -1)).reshape(N, Ho, Wo, C, kh, kw)
        _, _, H, W = self._input_shape
        p, s = self.padding, self.stride
        dxp = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=dout.dtype)
        # col2im: every kernel offset (u, v) sends its share of the gradient back to the
        # input pixels it read, a strided slice; overlapping windows add up.
        for u in range(kh):
            for v in range(kw):
                dxp[:, :, u : u + s * Ho : s, v : v + s * Wo : s] += dcols[:, :, :, :, u, v].transpose(0, 3, 1, 2)
        return dxp[:, :, p : p + H, p : p + W] if p else dxp

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
    backward: the gradient flows only to the position that held the maximum:
              dx[n, c, i*s + u*, j*s + v*] += dout[n, c, i, j]   (u*, v* = the argmax)
    """

    def __init__(self, size: int = 2, stride: int | None = None) -> None:
        self.size = size
        self.stride = stride or size

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        patches = windows(x, self.size, self.size, self.stride)  # (N, C, H', W', k, k)
        flat = patches.reshape(*patches.shape[:4], -1)
        self._argmax = flat.argmax(axis=-1)  # (N, C, H', W'): which of the k*k held the max
        self._input_shape = x.shape
        return np.take_along_axis(flat, self._argmax[..., None], axis=-1)[..., 0]

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray:
        N, C, Ho, Wo = dout.shape
        rows = np.arange(Ho)[:, None] * self.stride + self._argmax // self.size  # (N, C, H', W') by broadcasting
        cols = np.arange(Wo)[None, :] * self.stride + self._argmax % self.size
        dx = np.zeros(self._input_shape, dtype=dout.dtype)
        n = np.arange(N)[:, None, None, None]
        c = np.arange(C)[None, :, None, None]
        # add.at, not +=: with overlapping windows one pixel can be the max of several.
        np.add.at(dx, (n, c, rows, cols), dout)
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
