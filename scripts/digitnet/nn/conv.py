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
              As matrices: cols : (C kh kw, N H' W') holds one patch per column, out = W_mat @ cols + b,
              W_mat = W reshaped to (F, C kh kw).
    backward: dW_mat = dout_mat @ cols^T,  db = sum of dout over n, i, j,  (dout_mat : (F, N H' W'))
              dcols = W_mat^T @ dout_mat, added back to the patch positions they came from (col2im).
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
        return out.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        F, C, kh, kw = self.W.value.shape
        (N, _, H, W), Ho, Wo = self._shapes
        dout_f = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N H' W')
        np.matmul(dout_f, self._cols.T, out=self.W.grad.reshape(F, -1))
        np.sum(dout_f, axis=1, out=self.b.grad)
        if not need_dX:
            return None
        dcols = (self.W.value.reshape(F, -1).T @ dout_f).reshape(C, kh, kw, N, Ho, Wo)
        p, s = self.padding, self.stride
        dxp = np.zeros((C, N, H + 2 * p, W + 2 * p), dtype=dout.dtype)
        # col2im: every kernel offset (u, v) sends its share of the gradient back to the
        # input pixels it read, a strided slice; overlapping windows add up.
        for u in range(kh):
            for v in range(kw):
                dxp[:, :, u : u + s * Ho : s, v : v + s * Wo : s] += dcols[:, u, v]
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
    backward: the gradient flows only to the position that held the maximum:
              dx[n, c, i*s + u*, j*s + v*] += dout[n, c, i, j]   (u*, v* = the argmax)
    """

    def __init__(self, size: int = 2, stride: int | None = None) -> None:
        self.size = size
        self.stride = stride or size

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        k = self.size
        N, C, H, W = x.shape
        if self.stride == k and H % k == 0 and W % k == 0:
            # Windows that tile the image: a reshape lays them out without a window view.
            flat = x.reshape(N, C, H // k, k, W // k, k).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H // k, W // k, k * k)
        else:
            patches = windows(x, k, k, self.stride)  # (N, C, H', W', k, k)
            flat = patches.reshape(*patches.shape[:4], -1)
        self._argmax = flat.argmax(axis=-1)  # (N, C, H', W'): which of the k*k held the max
        self._input_shape = x.shape
        return np.take_along_axis(flat, self._argmax[..., None], axis=-1)[..., 0]

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray:
        N, C, Ho, Wo = dout.shape
        k = self.size
        _, _, H, W = self._input_shape
        if self.stride == k and H == Ho * k and W == Wo * k:
            # Tiled windows: put each gradient at its window's argmax with a one-hot mask.
            one_hot = np.arange(k * k) == self._argmax[..., None]  # (N, C, H', W', k*k)
            windows_grad = one_hot * dout[..., None]
            return windows_grad.reshape(N, C, Ho, Wo, k, k).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H, W)
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
