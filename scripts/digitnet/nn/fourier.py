"""Convolution by the discrete Fourier transform: the same numbers as im2col, with far fewer products.

The correlation theorem turns a sliding window into a pointwise product. For one image a
(rows and columns indexed y, x) and one kernel w, both zero-padded to L1 x L2 points,

    DFT(corr(a, w))[k] = DFT(a)[k] * conj(DFT(w)[k]),   corr(a, w)[y, x] = sum over u, v of w[u, v] a[y + u, x + v],

with indices taken modulo (L1, L2). A convolution layer sums such correlations over its C
input channels for each of its F filters, so in the frequency domain every frequency k is one
small matrix product over the channels:

    Out^[k] (F, N) = sum over c of conj(W^[k])[f, c] * X^[k][c, n]   =   conj(W^[k]) @ X^[k]

where X^ = DFT of the padded input, W^ = DFT of the filters. Real images have Hermitian
spectra (X^[-k] = conj(X^[k])), so only L2' = L2 // 2 + 1 columns of frequencies are computed. The gradients are two more products per frequency:

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
length is the largest of these bounds: the transforms are matrix products (below), whose cost
grows with the length itself, whatever its prime factors.

Spectra as planes, transforms as matrix products. A spectrum is kept as two real planes, its real
and imaginary parts: X^ : (C, 2, L1, L2', N), batch-last like the images. At each frequency the
rows (c, part) of such an array are one real (2 C, N) matrix, so each product over the channels is
one real matrix product with a (2 F, 2 C) block form of the filters' spectrum (``filter_blocks``).
The transforms are matrix products too: a DFT matrix along the rows (real pixels in, L2' complex
frequencies out) and one down the columns, each applied to the whole batch side by side. The
preset's transforms are 16 points long, where a dense DFT matrix costs a few times the operations
of an FFT but runs at the speed of a matrix product, several times faster than NumPy's FFT on
these short strided transforms. The matrices know where the pixels lie in the transform (the
image inside its padding, dout on its stride grid, the output positions wanted), so no padded
copy is made going in and no unwanted row or column is computed coming out.

Cost. For the preset's second layer (32 -> 64 channels, 5 x 5, 14 x 14 maps padded by 2,
transformed on 16 x 16 points) the direct method multiplies 800 numbers per output value in
each of three products; here each frequency takes a (128 x 64) real product per image (144
frequencies), about a ninth of the arithmetic, plus the transforms of C + F maps each way
(``transform_operations``). For a layer with one input channel (the first), the transforms cost
more than they save, so ``Conv2D`` asks ``fourier_is_cheaper`` which method to use.

Scaling. Every forward transform is the unscaled DFT, and every inverse carries the whole
1 / (L1 L2): a product of two spectra then inverts to the correlation or convolution itself.
"""

import functools

import numpy as np

from digitnet.nn.parallel import split_products, stacked_matmul

# What each kind of work costs, in operations of a large matrix product (its sgemm rate), set from
# the times of 12 layer shapes on one thread of an AMD EPYC with AVX-512, a training step's forward
# and backward pass and the forward pass alone on 8 and 512 images (scripts/bench/conv_methods.py,
# docs/design/convolution.md): the transforms' and products' weights from their measured rates,
# the per-call cost raised until a photo's few images went the faster way:
# - an operation of a transform's small matrix products (such as 18 x 14 times 14 x 256): about 2.5;
TRANSFORM_COST = 2.5
# - an operation of a per-frequency product (such as 128 x 64 times 64 x 256): about 2;
PRODUCT_COST = 2
# - one number of im2col's patch matrix in a training step: it is written, read by the forward
#   and filter-gradient products, written again by the input-gradient product and added back
#   (col2im), six trips through memory at a few GB/s: about 250. Products with few filters or
#   channels (16 x 400, say) also run below the sgemm rate, which this term absorbs;
PATCH_COST = 250
# - the same in the forward pass alone (written, read by one product): about 100;
PATCH_FORWARD_COST = 100
# - the Fourier path's own cost per call, whatever the batch (its NumPy calls, the filters' blocks,
#   the transforms' products on too few images to run fast): about 0.4 ms.
FOURIER_CALL_COST = 40_000_000


def transform_length(size: int, kernel: int, stride: int, padding: int) -> int:
    """L: the shortest transform along one axis of ``size`` pixels, padded by ``padding``, that no
    correlation, filter gradient or input gradient wraps around in (see "Why no position wraps
    around" above): max(size + p, T + kh - 1 - p, T, kh), T the rows
    of the stride-1 grid."""
    grid = stride * ((size + 2 * padding - kernel) // stride) + 1  # T = s (H' - 1) + 1
    return max(size + padding, grid + kernel - 1 - padding, grid, kernel)


def transform_shape(in_size: tuple[int, int], kernel: tuple[int, int], stride: int, padding: int) -> tuple[int, int]:
    """(L1, L2): the transform size for an input of H x W pixels and a kh x kw kernel."""
    return tuple(transform_length(n, k, stride, padding) for n, k in zip(in_size, kernel, strict=True))


def fourier_is_cheaper(
    C: int, F: int, kh: int, kw: int, H: int, W: int, Ho: int, Wo: int, L1: int, L2: int, images: int | None = None, training: bool = True
) -> bool:
    """Whether convolving ``images`` images of H x W pixels (H' x W' out) by the DFT costs less
    than by im2col: a training step's forward and backward pass, or (``training`` False) the
    forward pass alone.

    Per image, with K = L1 (L2 // 2 + 1) frequencies:
    im2col:  the products (forward, dW, dX in training; forward alone) of 2 H' W' F C kh kw
             operations each, and the C kh kw H' W' numbers of the patch matrix moved through
             memory (PATCH_COST each in training, PATCH_FORWARD_COST forward);
    fourier: the transforms of C input maps and F output maps, one way each in a forward pass
             alone, both ways in training (transform_operations), and at every frequency a real
             product of 8 F C operations (one forward, three in training).
    Per call, whatever the batch, the DFT also needs the filters' spectrum (kernel_operations)
    and, in training, the inverse of their gradients (as many), and
    pays FOURIER_CALL_COST: for one photo's few images the patches win, for a training batch of
    128 those costs are spread thin. ``images`` None counts per image alone, as for a batch too
    large for the per-call costs to matter. Each term is weighted by how much slower it runs than
    a large matrix product's operations. With one input channel (a first layer) the patches win;
    from 4 channels on, in training, the transforms do (scripts/bench/conv_methods.py).
    """
    K = L1 * (L2 // 2 + 1)
    products, ways = (3, 2) if training else (1, 1)
    direct = products * 2 * Ho * Wo * F * C * kh * kw + (PATCH_COST if training else PATCH_FORWARD_COST) * C * kh * kw * Ho * Wo
    transforms = (C * transform_operations(H, W, L1, L2) + F * transform_operations(Ho, Wo, L1, L2)) * ways
    spectral = TRANSFORM_COST * transforms + PRODUCT_COST * products * 8 * F * C * K
    if images is None:
        return spectral < direct
    return images * spectral + ways * kernel_operations(F, C, kh, kw, L1, L2) + FOURIER_CALL_COST < images * direct


def _phases(positions: tuple[int, ...], length: int) -> tuple[np.ndarray, np.ndarray]:
    """(cos, sin) of 2 pi k t / length, for k = 0 .. length - 1 and t in ``positions``: (length, T) each, float64."""
    angle = 2 * np.pi * np.outer(np.arange(length), positions) / length
    return np.cos(angle), np.sin(angle)


def _read_only(*tables: np.ndarray) -> tuple[np.ndarray, ...]:
    for table in tables:
        table.flags.writeable = False
    return tables


def hermitian_weights(L2: int) -> np.ndarray:
    """c : (L2',): 1 for the zero frequency and, for even L2, the last; 2 for the others, each of
    which also stands for its mirror image L2 - k2 (in a real image's spectrum, its conjugate)."""
    c = np.full(L2 // 2 + 1, 2.0)
    c[0] = 1
    if L2 % 2 == 0:
        c[-1] = 1
    return c


@functools.lru_cache(maxsize=64)
def forward_matrices(rows: tuple[int, ...], cols: tuple[int, ...], shape: tuple[int, int], dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """(A1, A2): the DFT on L1 x L2 points of Y x X pixels placed at the points ``rows`` x ``cols``
    (zeros elsewhere), as one real matrix per axis. Made once per shape and kept; read-only.

    A2 : (2 L2', X), along each row, real pixels in, L2' frequencies out as (real, imaginary):
        A2[(0, k2), j] = cos(2 pi k2 cols[j] / L2),   A2[(1, k2), j] = -sin(2 pi k2 cols[j] / L2).
    A1 : (2 L1, 2 Y), down each column, complex in (rows (i, part)) and out (rows (part, k1)):
        a multiplication by exp(-i phi), phi = 2 pi k1 rows[i] / L1, in real terms
        re += cos(phi) re_i + sin(phi) im_i,   im += -sin(phi) re_i + cos(phi) im_i.
    """
    L1, L2 = shape
    cos2, sin2 = _phases(cols, L2)
    A2 = np.concatenate([cos2[: L2 // 2 + 1], -sin2[: L2 // 2 + 1]])
    cos1, sin1 = _phases(rows, L1)  # (L1, Y)
    A1 = np.stack([np.stack([cos1, sin1], axis=-1), np.stack([-sin1, cos1], axis=-1)]).reshape(2 * L1, 2 * len(rows))
    return _read_only(A1.astype(dtype), A2.astype(dtype))


@functools.lru_cache(maxsize=64)
def inverse_matrices(rows: tuple[int, ...], cols: tuple[int, ...], shape: tuple[int, int], dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """(B1, B2): the inverse DFT of a real image's half spectrum, 1 / (L1 L2) included, at the points
    ``rows`` x ``cols`` alone, as one real matrix per axis. Made once per shape and kept; read-only.

    B1 : (2 Y, 2 L1), down each column, complex in (rows (part, k1)) and out (rows (i, part)):
        a multiplication by exp(+i phi) / L1, phi = 2 pi k1 rows[i] / L1.
    B2 : (X, 2 L2'), along each row, from the half spectrum to real pixels, with c = hermitian_weights:
        B2[j, (0, k2)] = c[k2] cos(2 pi k2 cols[j] / L2) / L2,   B2[j, (1, k2)] = -c[k2] sin(...) / L2.
    """
    L1, L2 = shape
    cos1, sin1 = (a.T / L1 for a in _phases(rows, L1))  # (Y, L1)
    B1 = np.stack([np.stack([cos1, -sin1], axis=1), np.stack([sin1, cos1], axis=1)], axis=1).reshape(2 * len(rows), 2 * L1)
    half = L2 // 2 + 1
    cos2, sin2 = (a[:half].T * hermitian_weights(L2) / L2 for a in _phases(cols, L2))  # (X, L2')
    return _read_only(B1.astype(dtype), np.concatenate([cos2, -sin2], axis=1).astype(dtype))


def transform_operations(Y: int, X: int, L1: int, L2: int) -> int:
    """Operations of the two products that transform Y x X pixels to L1 x L2 points (spectrum_into),
    or back (image_into): 2 (2 L2') X Y along the rows, 2 (2 L1) (2 Y) L2' down the columns."""
    return 4 * (L2 // 2 + 1) * Y * (X + 2 * L1)


def kernel_operations(F: int, C: int, kh: int, kw: int, L1: int, L2: int) -> int:
    """Operations of the product that takes F C kernels of kh x kw to their spectra, or their
    gradients back (kernel_table): 2 (2 L1 L2') kh kw F C."""
    return 4 * L1 * (L2 // 2 + 1) * kh * kw * F * C


def rows_shape(maps: int, rows: int, shape: tuple[int, int], images: int) -> tuple[int, ...]:
    """(B, Y, 2 L2', N): the scratch between a transform's two products, each of B maps' Y rows as
    its L2' frequencies (real, imaginary) along the row."""
    return (maps, rows, 2 * (shape[1] // 2 + 1), images)


def spectrum_shape(maps: int, shape: tuple[int, int], images: int) -> tuple[int, ...]:
    """(B, 2, L1, L2', N): the half spectra of B maps of N images, as a real and an imaginary plane."""
    L1, L2 = shape
    return (maps, 2, L1, L2 // 2 + 1, images)


def spectrum_into(a: np.ndarray, out: np.ndarray, shape: tuple[int, int], rows: tuple[int, ...], cols: tuple[int, ...], scratch: np.ndarray) -> None:
    """out : (B, 2, L1, L2', N) = the unscaled 2-D DFT on ``shape`` = (L1, L2) points of the maps
    a : (B, Y, X, N), pixel (i, j) placed at the point (rows[i], cols[j]), every other point zero.
    Two matrix products (forward_matrices): A2 along the rows into scratch (rows_shape),
    then A1 down the columns. The B maps are split over threads.
    """
    A1, A2 = forward_matrices(rows, cols, shape, out.dtype)
    B, _, L1, L2h, N = out.shape

    def transform(start: int, stop: int) -> None:
        np.matmul(A2, a[start:stop], out=scratch[start:stop])
        np.matmul(A1, scratch[start:stop].reshape(-1, 2 * len(rows), L2h * N), out=out[start:stop].reshape(-1, 2 * L1, L2h * N))

    split_products(transform, B, out.size)


def image_into(spec: np.ndarray, out: np.ndarray, shape: tuple[int, int], rows: tuple[int, ...], cols: tuple[int, ...], scratch: np.ndarray) -> None:
    """The inverse of ``spectrum_into`` at the points ``rows`` x ``cols`` alone: out : (B, Y, X, N)
    (any view whose last axis is contiguous) from spec : (B, 2, L1, L2', N), through scratch
    (rows_shape). Two matrix products (inverse_matrices); the B maps are split over threads.
    """
    B1, B2 = inverse_matrices(rows, cols, shape, spec.dtype)
    B, _, L1, L2h, N = spec.shape

    def transform(start: int, stop: int) -> None:
        np.matmul(B1, spec[start:stop].reshape(-1, 2 * L1, L2h * N), out=scratch[start:stop].reshape(-1, 2 * len(rows), L2h * N))
        np.matmul(B2, scratch[start:stop], out=out[start:stop])

    split_products(transform, B, spec.size)


def by_frequency(spec: np.ndarray) -> np.ndarray:
    """spec : (B, 2, L1, L2', N) -> the view (L1 L2', 2 B, N): at each frequency, one real matrix whose
    rows are (map, part), the real and imaginary parts of each map in turn; no copy."""
    B, _, L1, L2h, N = spec.shape
    return spec.reshape(2 * B, L1 * L2h, N).transpose(1, 0, 2)


@functools.lru_cache(maxsize=32)
def kernel_table(kernel: tuple[int, int], shape: tuple[int, int], dtype: np.dtype) -> np.ndarray:
    """E : (2 L1 L2', kh kw), the DFT of a kh x kw kernel zero-padded to L1 x L2 as one matrix, rows
    (part, k1, k2): E[(0, k), (u, v)] = cos(theta), E[(1, k), (u, v)] = -sin(theta), with
    theta = 2 pi (k1 u / L1 + k2 v / L2), at the L1 L2' frequencies a real image keeps. Read-only."""
    (kh, kw), (L1, L2) = kernel, shape
    k1, k2 = np.arange(L1)[:, None, None, None], np.arange(L2 // 2 + 1)[None, :, None, None]
    u, v = np.arange(kh)[None, None, :, None], np.arange(kw)[None, None, None, :]
    theta = (2 * np.pi * (k1 * u / L1 + k2 * v / L2)).reshape(-1, kh * kw)
    return _read_only(np.concatenate([np.cos(theta), -np.sin(theta)]).astype(dtype))[0]


@functools.lru_cache(maxsize=32)
def kernel_inverse_table(kernel: tuple[int, int], shape: tuple[int, int], dtype: np.dtype) -> np.ndarray:
    """kernel_table with each row (part, k1, k2) weighted by hermitian_weights(L2)[k2] / (L1 L2): the
    inverse DFT of a real half spectrum at the kh x kw kernel points, as one matrix. Read-only."""
    L1, L2 = shape
    weights = np.tile(np.tile(hermitian_weights(L2), L1), 2)[:, None] / (L1 * L2)  # (2 L1 L2', 1)
    return _read_only((kernel_table(kernel, shape, dtype) * weights).astype(dtype))[0]


def filter_blocks(W: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """W : (F, C, kh, kw) -> M : (L1 L2', 2 F, 2 C), at each frequency k the real form of the product
    by conj(W^[k]) (Out^[k] = conj(W^[k]) @ X^[k]) on spectra laid out as by_frequency gives them:

        M[k] = [[Wr, Wi], [-Wi, Wr]]  (rows (f, part), columns (c, part)),  W^[k] = Wr + i Wi,

    since (Wr - i Wi)(Xr + i Xi) = (Wr Xr + Wi Xi) + i (Wr Xi - Wi Xr). W^ is the unscaled DFT of
    the zero-padded kernels, one product with kernel_table: (2 L1 L2', kh kw) @ (kh kw, F C), several
    times faster than F C transforms of L1 x L2 points that are mostly zeros. M[k]^T is the real
    form of the product by W^[k]^T, which the input gradient needs.
    """
    F, C, kh, kw = W.shape
    table = kernel_table((kh, kw), tuple(shape), W.dtype)
    K = len(table) // 2
    spectrum = (table @ W.reshape(F * C, kh * kw).T).reshape(2, K, F, C)
    M = np.empty((K, F, 2, C, 2), dtype=W.dtype)
    M[:, :, 0, :, 0] = M[:, :, 1, :, 1] = spectrum[0]
    M[:, :, 0, :, 1] = spectrum[1]
    np.negative(spectrum[1], out=M[:, :, 1, :, 0])
    return M.reshape(K, 2 * F, 2 * C)


def correlate_into(X_spec: np.ndarray, M: np.ndarray, out_spec: np.ndarray) -> None:
    """Every filter's correlation with the input, summed over channels, in the frequency domain:
    Out^[k] = conj(W^[k]) @ X^[k] at every frequency k, in real form M[k] @ X^[k] (filter_blocks).
    X_spec : (C, 2, L1, L2', N), M : (L1 L2', 2 F, 2 C), out_spec : (F, 2, L1, L2', N), written."""
    stacked_matmul(M, by_frequency(X_spec), by_frequency(out_spec))


def filter_gradient(X_spec: np.ndarray, D_spec: np.ndarray, shape: tuple[int, int], kernel: tuple[int, int]) -> np.ndarray:
    """dW[f, c, u, v] = sum over n, y, x of dout[n, f, y, x] * xp[n, c, y + u, x + v], by the DFT.

    X_spec : (C, 2, L1, L2', N) and D_spec : (F, 2, L1, L2', N), the spectra of the padded input and
    of dout on the stride-1 grid. At each frequency G[k] = D^[k] @ X^[k]^T in real form, (2 F, 2 C)
    with blocks G_ab = D_a @ X_b^T, gives dW^[k] = conj(D^[k]) @ X^[k]^T = (G_rr + G_ii) + i (G_ri - G_ir);
    its inverse at the kh x kw kernel points is one product with kernel_inverse_table. Returns
    dW : (F, C, kh, kw).
    """
    F, C = len(D_spec), len(X_spec)
    D, X = by_frequency(D_spec), by_frequency(X_spec)
    K = D.shape[0]
    G = np.empty((K, 2 * F, 2 * C), dtype=D_spec.dtype)
    stacked_matmul(D, X.transpose(0, 2, 1), G)
    G = G.reshape(K, F, 2, C, 2)
    dW_spec = np.empty((2, K, F, C), dtype=G.dtype)
    np.add(G[:, :, 0, :, 0], G[:, :, 1, :, 1], out=dW_spec[0])
    np.subtract(G[:, :, 0, :, 1], G[:, :, 1, :, 0], out=dW_spec[1])
    inverse = kernel_inverse_table(tuple(kernel), tuple(shape), G.dtype)
    return (dW_spec.reshape(2 * K, F * C).T @ inverse).reshape(F, C, *kernel)


def input_gradient_into(D_spec: np.ndarray, M: np.ndarray, dX_spec: np.ndarray) -> None:
    """dX^[k] = W^[k]^T @ D^[k] at every frequency k (the spectrum of dxp[c, y, x] = sum over f, u, v
    of W[f, c, u, v] * dout[f, y - u, x - v], a convolution), in real form M[k]^T @ D^[k].
    D_spec : (F, 2, L1, L2', N), M from filter_blocks, dX_spec : (C, 2, L1, L2', N), written."""
    stacked_matmul(M.transpose(0, 2, 1), by_frequency(D_spec), by_frequency(dX_spec))
