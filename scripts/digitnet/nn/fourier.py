"""Convolution by the discrete Fourier transform: the same numbers as im2col, with far fewer products.

The correlation theorem turns a sliding window into a pointwise product. For one image a
(rows and columns indexed y, x) and one kernel w, both zero-padded to L1 x L2 points,

    DFT(corr(a, w))[k] = DFT(a)[k] * conj(DFT(w)[k]),   corr(a, w)[y, x] = sum over u, v of w[u, v] a[y + u, x + v],

with indices taken modulo (L1, L2). A convolution layer sums such correlations over its C
input channels for each of its F filters, so in the frequency domain every frequency k is one
small matrix product over the channels:

    Out^[k] (F, N) = sum over c of conj(W^[k])[f, c] * X^[k][c, n]   =   conj(W^[k]) @ X^[k]

where X^ = DFT of the padded input (C, L1, L2', N), W^ = DFT of the filters (F, C, L1, L2').
Real images have Hermitian spectra, so only L2' = L2 // 2 + 1 columns of frequencies are
computed (``rfft2``). The gradients are two more products per frequency:

    dW^[k] (F, C) = conj(D^[k]) @ X^[k]^T          (a correlation of the input with dout)
    dX^[k] (C, N) = W^[k]^T @ D^[k]                 (a convolution of dout with the filters)

with D^ = DFT of dout, placed on the stride-1 grid of output positions and zero elsewhere.

Why no position wraps around, and how short the transform may be. Along one axis (rows; columns
alike) the padded input xp holds its H image rows at p .. p + H - 1 and zeros elsewhere; the
stride-1 grid has T = s (H' - 1) + 1 rows, whose row t reads xp rows t .. t + kh - 1, at most
R = T + kh - 2 <= Hp - 1 (Hp = H + 2p). Indices are taken modulo L1. Nothing goes wrong when

    L1 >= H + p     the image rows, and every dX row wanted, lie below L1: none is folded;
    L1 >= R + 1 - p a row read beyond L1 folds to r - L1 < p, a padding row, zero as it should
                    read; in dX, dout's row r - u < 0 folds to L1 + r - u > T - 1, where the
                    grid is zero, exactly as beyond its last row;
    L1 >= T, kh     dout's grid and the kernel fit in one period.

The second holds whenever the first does (R + 1 - p <= Hp - p = H + p), and the others matter
only for odd layers (padding >= kernel, or inputs smaller than the kernel). So the transform
need not hold the padding below the image, nor the reads beyond it: for the preset's second
layer (14 rows padded by 2) 16 points suffice where the padded input has 18. The transform
length is the smallest L1 of these bounds of the form 2^a 3^b 5^c, which the FFT handles
fastest.

Cost. For the preset's second layer (32 -> 64 channels, 5 x 5, 14 x 14 maps padded by 2,
transformed on 16 x 16 points) the direct method multiplies 800 numbers per output value in
each of three products; here each frequency takes a 64 x 32 complex product per image (144
frequencies), about a ninth of the arithmetic, plus 2 (C + F) transforms per image. For a layer with
one input channel (the first), the transforms cost more than they save, so ``Conv2D``
asks ``fourier_is_cheaper`` which method to use.

Scaling. Every transform here uses NumPy's ``norm="ortho"``, each direction scaled by
1 / sqrt(L1 L2): with float32 data, NumPy's unscaled direction is the slow one. The filters' spectrum
is the unscaled DFT (``filter_spectrum``), so each product of it with an ortho spectrum is ortho-scaled again; dW's
spectrum, a product of two ortho spectra, has one factor 1 / sqrt(L1 L2) too many, which its
small inverse takes back.
"""

import functools
import math
from collections.abc import Callable

import numpy as np

from digitnet.nn.parallel import parallel_ranges, stacked_matmul

# What each kind of work costs, in operations of a large matrix product (its sgemm rate), fitted
# to times of 12 layer shapes on one thread, a training step's forward and backward pass and the
# forward pass alone on 1 to 512 images (docs/design/convolution.md):
# - an operation of a small float32 transform (12 x 12 to 30 x 30 points, 2.5 n log2 n of them),
#   with the copies around it: about 25;
TRANSFORM_COST = 25
# - an operation of a per-frequency complex product (such as 64 x 32 x 128): about 2.5;
COMPLEX_PRODUCT_COST = 2.5
# - one number of im2col's patch matrix in a training step: it is written, read by the forward
#   and filter-gradient products, written again by the input-gradient product and added back
#   (col2im), six trips through memory at a few GB/s: about 250. Products with few filters or
#   channels (16 x 400, say) also run below the sgemm rate, which this term absorbs;
PATCH_COST = 250
# - the same in the forward pass alone (written, read by one product): about 100;
PATCH_FORWARD_COST = 100
# - the Fourier path's own overhead per call, whatever the batch: about 0.1 ms of NumPy calls more.
FOURIER_CALL_COST = 10_000_000


def fast_length(n: int) -> int:
    """The smallest length >= n whose only prime factors are 2, 3 and 5."""
    while True:
        m = n
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


def transform_length(size: int, kernel: int, stride: int, padding: int) -> int:
    """L: the transform length along one axis of ``size`` pixels, padded by ``padding``, that no
    correlation, filter gradient or input gradient wraps around in (see "Why no position wraps
    around" above): the smallest fast length >= max(size + p, T + kh - 1 - p, T, kh), T the rows
    of the stride-1 grid."""
    grid = stride * ((size + 2 * padding - kernel) // stride) + 1  # T = s (H' - 1) + 1
    return fast_length(max(size + padding, grid + kernel - 1 - padding, grid, kernel))


def transform_shape(in_size: tuple[int, int], kernel: tuple[int, int], stride: int, padding: int) -> tuple[int, int]:
    """(L1, L2): the transform size for an input of H x W pixels and a kh x kw kernel."""
    return tuple(transform_length(n, k, stride, padding) for n, k in zip(in_size, kernel, strict=True))


def fourier_is_cheaper(
    C: int, F: int, kh: int, kw: int, Ho: int, Wo: int, L1: int, L2: int, images: int | None = None, training: bool = True
) -> bool:
    """Whether convolving ``images`` images by the DFT costs less than by im2col: a training step's
    forward and backward pass, or (``training`` False) the forward pass alone.

    Per image, with n = L1 L2 points and L1 (L2 // 2 + 1) frequencies:
    im2col:  the products (forward, dW, dX in training; forward alone) of 2 H' W' F C kh kw
             operations each, and the C kh kw H' W' numbers of the patch matrix moved through
             memory (PATCH_COST each in training, PATCH_FORWARD_COST forward);
    fourier: C + F real transforms each way (2.5 n log2 n operations each) and, at every
             frequency, a complex product of 8 F C operations each way.
    Per call, whatever the batch, the DFT also needs the F C filters' spectrum (counted as F C
    transforms, as when these weights were fitted; filter_spectrum now makes it by one product,
    so the term is an overestimate), in training inverts their F C gradients, and pays
    FOURIER_CALL_COST: for one photo's few images the patches win, for a training batch of 128
    those costs are spread thin. ``images`` None
    counts per image alone, as for a batch too large for the per-call costs to matter.
    Each term is weighted by how much slower it runs than a large matrix product's operations.
    With one input channel (a first layer) the patches win by a factor of 2 to 5; from 8
    channels and 5 x 5 kernels on, in training, the transforms do; 3 x 3 kernels sit near the line.
    """
    n = L1 * L2
    transform = TRANSFORM_COST * 2.5 * n * math.log2(n)
    products, ways = (3, 2) if training else (1, 1)
    direct = products * 2 * Ho * Wo * F * C * kh * kw + (PATCH_COST if training else PATCH_FORWARD_COST) * C * kh * kw * Ho * Wo
    spectral = ways * (C + F) * transform + COMPLEX_PRODUCT_COST * products * 8 * F * C * L1 * (L2 // 2 + 1)
    if images is None:
        return spectral < direct
    return images * spectral + ways * F * C * transform + FOURIER_CALL_COST < images * direct


def _split_over_channels(task: Callable[[slice], None], channels: int, size: int) -> None:
    """Run ``task(channel_slice)`` over the channels (axis 0), one block of them per thread."""
    parallel_ranges(lambda start, stop: task(slice(start, stop)), channels, size)


def spectrum_into(a: np.ndarray, out: np.ndarray, rows: slice = slice(None)) -> None:
    """out = the 2-D DFT of a : (B, L1, L2, N) real over (L1, L2), scaled by 1 / sqrt(L1 L2):
    (B, L1, L2 // 2 + 1, N) complex. The B blocks are split over threads.

    ``rows``: the rows of ``a`` that may hold anything but zeros (a padded image's inside).
    The transform is one 1-D pass along each axis; the first, along the rows, skips the rest,
    whose transform is zero: an eighth of that pass for the preset's 14 rows at 2 .. 15 of 16.
    """
    start, stop, _ = rows.indices(a.shape[1])

    def transform(block: slice) -> None:
        spec = out[block]
        np.fft.rfft(a[block, start:stop], axis=2, norm="ortho", out=spec[:, start:stop])
        spec[:, :start] = 0
        spec[:, stop:] = 0
        np.fft.fft(spec, axis=1, norm="ortho", out=spec)

    _split_over_channels(transform, len(a), out.size)


def image_into(spec: np.ndarray, out: np.ndarray, rows: slice = slice(None)) -> None:
    """The inverse of ``spectrum_into``: out : (B, L1, L2, N) real from spec : (B, L1, L2 // 2 + 1, N),
    which it overwrites (the first 1-D pass runs in place).

    ``rows``: the rows of the image that are wanted; only they are written into ``out`` (the
    second pass runs on them alone), and the others are left as they were.
    """

    def transform(block: slice) -> None:
        np.fft.ifft(spec[block], axis=1, norm="ortho", out=spec[block])
        np.fft.irfft(spec[block, rows], n=out.shape[2], axis=2, norm="ortho", out=out[block, rows])

    _split_over_channels(transform, len(spec), out.size)


def spectrum_shape(a_shape: tuple[int, ...]) -> tuple[int, ...]:
    """(B, L1, L2, N) -> (B, L1, L2 // 2 + 1, N): the frequencies a real image's spectrum keeps."""
    B, L1, L2, N = a_shape
    return (B, L1, L2 // 2 + 1, N)


def by_frequency(spec: np.ndarray) -> np.ndarray:
    """spec : (B, L1, L2', N) -> the view (L1 L2', B, N): one (B, N) matrix per frequency, no copy."""
    B, L1, L2h, N = spec.shape
    return spec.reshape(B, L1 * L2h, N).transpose(1, 0, 2)


@functools.lru_cache(maxsize=32)
def dft_table(kernel: tuple[int, int], shape: tuple[int, int], dtype: np.dtype) -> np.ndarray:
    """E : (L1 L2', kh kw), E[(k1, k2), (u, v)] = exp(-2 pi i (k1 u / L1 + k2 v / L2)): the DFT of a
    kh x kw kernel zero-padded to L1 x L2, at the L1 L2' frequencies a real image keeps, as a matrix.
    Made once per shape (in float64, then rounded to ``dtype``) and kept; read-only."""
    (kh, kw), (L1, L2) = kernel, shape
    k1, k2 = np.arange(L1)[:, None, None, None], np.arange(L2 // 2 + 1)[None, :, None, None]
    u, v = np.arange(kh)[None, None, :, None], np.arange(kw)[None, None, None, :]
    table = np.exp(-2j * np.pi * (k1 * u / L1 + k2 * v / L2)).reshape(-1, kh * kw).astype(dtype)
    table.flags.writeable = False
    return table


def filter_spectrum(W: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """W : (F, C, kh, kw) -> its unscaled DFT zero-padded to ``shape``, by frequency: (L1 L2', F, C).

    W^[k] = sum over u, v of W[:, :, u, v] exp(-2 pi i (k1 u / L1 + k2 v / L2)) is one matrix
    product, E (L1 L2', kh kw) @ W^T (kh kw, F C), with E from dft_table: a kernel has only
    kh kw values, so this is several times faster than F C transforms of L1 x L2 points that
    are mostly the padding's zeros.
    """
    F, C, kh, kw = W.shape
    dtype = np.result_type(W.dtype, np.complex64)
    table = dft_table((kh, kw), tuple(shape), dtype)
    return (table @ W.reshape(F * C, kh * kw).T.astype(dtype)).reshape(-1, F, C)


def correlate_into(X_hat: np.ndarray, W_hat: np.ndarray, out_hat: np.ndarray, out: np.ndarray, rows: slice) -> None:
    """Every filter's correlation with the input, summed over channels, at every position.

    X_hat : (C, L1, L2', N), the input's spectrum; W_hat : (L1 L2', F, C) from filter_spectrum.
    Out^[k] = conj(W^[k]) @ X^[k] per frequency k, written into out_hat : (F, L1, L2', N); then
    out : (F, L1, L2, N) real, whose rows y < H' and columns x < W' (stride 1) are the layer's
    output before the bias; only ``rows`` of it are written.
    """
    stacked_matmul(np.conj(W_hat), by_frequency(X_hat), by_frequency(out_hat))
    image_into(out_hat, out, rows)


def filter_gradient(
    X_hat: np.ndarray, D_hat: np.ndarray, X_conj: np.ndarray, shape: tuple[int, int], kernel: tuple[int, int]
) -> np.ndarray:
    """dW[f, c, u, v] = sum over n, y, x of dout[n, f, y, x] * xp[n, c, y + u, x + v].

    X_hat : (C, L1, L2', N) and D_hat : (F, L1, L2', N), the spectra of the padded input and of
    dout on the stride-1 grid; X_conj, an array shaped as X_hat to write conj(X_hat) into.
    dW^[k] = conj(D^[k]) @ X^[k]^T = conj(D^[k] @ conj(X^[k])^T), taking the conjugate of the
    smaller arrays; returns dW : (F, C, kh, kw).
    """
    F, C = D_hat.shape[0], X_hat.shape[0]
    L1, L2h = X_hat.shape[1:3]
    np.conj(X_hat, out=X_conj)
    dW_hat = np.empty((L1 * L2h, F, C), dtype=X_hat.dtype)
    stacked_matmul(by_frequency(D_hat), by_frequency(X_conj).transpose(0, 2, 1), dW_hat)
    dW_hat = np.conj(dW_hat).transpose(1, 2, 0).reshape(F, C, L1, L2h)  # (F, C, L1, L2'), a copy
    kh, kw = kernel
    dW = np.empty((F, C, kh, shape[1]), dtype=D_hat.real.dtype)

    def transform(block: slice) -> None:
        # The inverse by its two 1-D passes, the second on the kernel's kh rows alone.
        rows = np.fft.ifft(dW_hat[block], axis=2, norm="ortho")
        np.fft.irfft(rows[:, :, :kh], n=shape[1], axis=3, norm="ortho", out=dW[block])

    _split_over_channels(transform, F, dW_hat.size)
    return dW[:, :, :, :kw] * math.sqrt(shape[0] * shape[1])  # see "Scaling" above


def input_gradient_into(D_hat: np.ndarray, W_hat: np.ndarray, dX_hat: np.ndarray, dxp: np.ndarray, rows: slice) -> None:
    """dxp[c, y, x] = sum over f, u, v of W[f, c, u, v] * dout[f, y - u, x - v] (a convolution).

    D_hat : (F, L1, L2', N); W_hat : (L1 L2', F, C). dX^[k] = W^[k]^T @ D^[k], written into
    dX_hat : (C, L1, L2', N); then dxp : (C, L1, L2, N) real, the gradient of the padded input,
    of which only ``rows`` are written.
    """
    stacked_matmul(W_hat.transpose(0, 2, 1), by_frequency(D_hat), by_frequency(dX_hat))
    image_into(dX_hat, dxp, rows)
