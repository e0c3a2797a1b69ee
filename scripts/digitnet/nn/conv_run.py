"""How a convolution is run: the batch-last layout, buffers kept from batch to batch, im2col and
col2im split over threads, or products of spectra (digitnet.nn.fourier).

``digitnet.nn.conv.Conv2D`` states the math; a ``ConvRun`` computes it for one layer, keeping
what backward needs from its forward pass and the large scratch arrays between batches. The
Python loops run over channels and the positions inside a kernel (the patches are copied one
kernel row of one channel at a time, so each channel's image stays in the cache while its
patches are copied), never over single samples, pixels or filters.

Memory layout. Every array between layers has the logical shape (N, C, H, W), but a
convolution stores its images batch-last, as (C, H, W, N) in memory, and returns its output as
a transposed view of that memory rather than a copy. The ReLU and max-pool that follow work in
whatever memory order they are given, so the next convolution finds its input, and each
convolution its output gradient, already in the order it needs: no layer transposes a whole
batch. Batch-last makes every copy between images and patches move runs of W' N numbers
instead of rows of W'. Large elementwise passes run split over the BLAS's threads
(digitnet.nn.parallel). docs/design/convolution.md tells why each choice is what it is.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from digitnet.nn import fourier
from digitnet.nn.parallel import elementwise, parallel_ranges, summed_matmul

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



class ConvRun:
    """Runs one convolution layer: W : (F, C, kh, kw), b : (F,), with its stride and padding.

    ``method``: "auto" (by the DFT where that costs less, digitnet.nn.fourier, else by im2col),
    "patches" or "fourier" (the tests check each against plain loops). The big intermediate
    arrays live in buffers reused from batch to batch, so backward must follow the forward pass
    it belongs to, as it does in training and in the traced step.
    """

    def __init__(self, stride: int, padding: int) -> None:
        self.stride, self.padding = stride, padding
        self._scratch: dict[str, np.ndarray] = {}
        self.method = "auto"

    def uses_fourier(self, W: np.ndarray, in_shape: tuple[int, int, int], images: int | None = None, training: bool = True) -> bool:
        """Whether ``images`` inputs of per-sample shape (C, H, W) are convolved by the DFT, for a
        training step or (``training`` False) a forward pass alone (digitnet.nn.fourier.fourier_is_cheaper)."""
        if self.method != "auto":
            return self.method == "fourier"
        F, C, kh, kw = W.shape
        _, H, Wd = in_shape
        p, s = self.padding, self.stride
        Ho, Wo = output_size(H, kh, s, p), output_size(Wd, kw, s, p)
        L1, L2 = fourier.transform_shape((H, Wd), (kh, kw), s, p)
        return fourier.fourier_is_cheaper(C, F, kh, kw, H, Wd, Ho, Wo, L1, L2, images, training)

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

    def forward(self, x: np.ndarray, W_value: np.ndarray, b_value: np.ndarray, training: bool = True) -> np.ndarray:
        """out : (N, F, H', W'), a view of batch-last memory, of x : (N, C, H, W) (see Conv2D).

        ``training``: whether a backward pass will follow, which makes the DFT pay sooner; either
        way, backward may follow (it goes the way this forward pass went)."""
        F, C, kh, kw = W_value.shape
        N, _, H, W = x.shape
        p = self.padding
        Ho, Wo = output_size(H, kh, self.stride, p), output_size(W, kw, self.stride, p)
        self._input_shape = x.shape
        self._fourier = self.uses_fourier(W_value, x.shape[1:], N, training)
        if self._fourier:
            return self._forward_fourier(x, Ho, Wo, W_value, b_value)
        # The zero-padded input, batch-last; only the inside is written, so the border stays
        # zero from when the buffer was made.
        xp = self._buffer("xp", (C, H + 2 * p, W + 2 * p, N), x.dtype)
        copy_into(xp[:, p : p + H, p : p + W], batch_last(x), axis=1)
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
        weights = np.concatenate([W_value.reshape(F, -1), b_value[:, None]], axis=1)  # (F, C kh kw + 1)
        out = weights @ cols  # (F, H' W' N), a new array
        return as_batch_first(out.reshape(F, Ho, Wo, N))  # (N, F, H', W'), a view

    def _batch_last(self, key: str, a: np.ndarray) -> np.ndarray:
        """a : (N, C, H, W) as (C, H, W, N): a view where its memory is batch-last already (as
        between the layers of a stack), else a copy into the buffer ``key``."""
        view = batch_last(a)
        if view.flags.c_contiguous:
            return view
        copy = self._buffer(key, view.shape, a.dtype)
        copy_into(copy, view)
        return copy

    def _forward_fourier(self, x: np.ndarray, Ho: int, Wo: int, W_value: np.ndarray, b_value: np.ndarray) -> np.ndarray:
        """out = the correlation of each filter with the padded input, by the DFT (digitnet.nn.fourier).
        The image's pixels lie at p .. p + H - 1 of the L1 x L2 transform, the output positions at
        0, s, .. s (H' - 1): the transforms' matrices place and pick them, so nothing is padded or cut."""
        F, C, kh, kw = W_value.shape
        N, _, H, W = x.shape
        p, s = self.padding, self.stride
        shape = fourier.transform_shape((H, W), (kh, kw), s, p)
        self._transform = shape
        self._image_points = (tuple(range(p, p + H)), tuple(range(p, p + W)))
        self._output_points = (tuple(range(0, s * Ho, s)), tuple(range(0, s * Wo, s)))
        self._X_spec = self._buffer("X_spec", fourier.spectrum_shape(C, shape, N), x.dtype)
        # The transforms' first products, along the rows: (maps, rows, 2 L2', N) for the input and its gradient, and for the output and dout.
        self._rows_in = self._buffer("rows_in", fourier.rows_shape(C, H, shape, N), x.dtype)
        self._rows_out = self._buffer("rows_out", fourier.rows_shape(F, Ho, shape, N), x.dtype)
        fourier.spectrum_into(self._batch_last("x", x), self._X_spec, shape, *self._image_points, self._rows_in)
        self._blocks = fourier.filter_blocks(W_value, shape)  # (L1 L2', 2 F, 2 C), kept for dX
        out_spec = self._buffer("out_spec", fourier.spectrum_shape(F, shape, N), x.dtype)
        fourier.correlate_into(self._X_spec, self._blocks, out_spec)
        # The bias, the same at every point, is all in the zero frequency: b L1 L2 there, which the
        # inverse's 1 / (L1 L2) turns back into b at each position (a pass over F N numbers, not over the output).
        out_spec[:, 0, 0, 0, :] += (b_value * (shape[0] * shape[1]))[:, None]
        out = np.empty((F, Ho, Wo, N), dtype=x.dtype)  # a new array: it is returned
        fourier.image_into(out_spec, out, shape, *self._output_points, self._rows_out)
        return as_batch_first(out)  # (N, F, H', W'), a view

    def backward(self, dout: np.ndarray, W_value: np.ndarray, need_dX: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(dW (F, C, kh, kw), db (F,), dX (N, C, H, W) or None) from dout : (N, F, H', W') (see Conv2D)."""
        if self._fourier:
            return self._backward_fourier(dout, W_value, need_dX)
        F, C, kh, kw = W_value.shape
        N, _, H, W = self._input_shape
        _, _, Ho, Wo = dout.shape
        p = self.padding
        dout_mat = self._batch_last("dout", dout).reshape(F, -1)  # (F, H' W' N)
        # [dW_mat | db] : (F, C kh kw + 1), a sum over all H' W' N positions. OpenBLAS on 2 threads
        # runs this product far slower when the result has fewer rows than columns (64 x 801 for
        # the preset's second layer) than as its transpose: compute the taller one. A small result
        # (a first layer's 32 x 26) leaves OpenBLAS too little to split: the threads split the sum
        # (digitnet.nn.parallel.summed_matmul).
        if self._cols.shape[0] > F:
            dWb = summed_matmul(self._cols, dout_mat.T).T
        else:
            dWb = summed_matmul(dout_mat, self._cols.T)
        dW, db = dWb[:, :-1].reshape(W_value.shape), dWb[:, -1]
        if not need_dX:
            return dW, db, None
        dcols = self._buffer("dcols", (C * kh * kw, dout_mat.shape[1]), dout.dtype)
        np.matmul(W_value.reshape(F, -1).T, dout_mat, out=dcols)
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
        return dW, db, as_batch_first(dxp[:, p : p + H, p : p + W])  # dX (N, C, H, W), a view

    def _backward_fourier(self, dout: np.ndarray, W_value: np.ndarray, need_dX: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """dW, db and dX of the forward pass by the DFT (digitnet.nn.fourier), from dout : (N, F, H', W')."""
        F, C, kh, kw = W_value.shape
        N, _, H, W = self._input_shape
        _, _, Ho, Wo = dout.shape
        shape = self._transform
        # dout's spectrum, its values placed at the output positions of the stride-1 grid.
        D_spec = self._buffer("D_spec", fourier.spectrum_shape(F, shape, N), dout.dtype)
        fourier.spectrum_into(self._batch_last("dout", dout), D_spec, shape, *self._output_points, self._rows_out)
        dW = fourier.filter_gradient(self._X_spec, D_spec, shape, (kh, kw))
        db = D_spec[:, 0, 0, 0, :].sum(axis=1)  # the zero frequency of each map: the sum of dout
        if not need_dX:
            return dW, db, None
        dX_spec = self._buffer("dX_spec", self._X_spec.shape, dout.dtype)
        fourier.input_gradient_into(D_spec, self._blocks, dX_spec)
        dX = np.empty((C, H, W, N), dtype=dout.dtype)  # a new array: it is returned
        fourier.image_into(dX_spec, dX, shape, *self._image_points, self._rows_in)
        return dW, db, as_batch_first(dX)  # dX (N, C, H, W), a view
