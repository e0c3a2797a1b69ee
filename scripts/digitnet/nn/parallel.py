"""Elementwise passes over large arrays, split across the threads the BLAS was given.

NumPy runs a matrix product on every BLAS thread but an elementwise pass (a ReLU, a
max-pool, the copies of im2col) on one. Both release the GIL on large arrays, so a small
pool of Python threads, each running the same pass on its own slice of the array, keeps
every core busy between the products. Each slice is a block of whole rows along the
axis that is outermost in memory, so each thread writes its own stretch of memory.

Stacks of small matrix products (the Fourier convolution's one product per frequency) are
split the same way: OpenBLAS divides each small product between its threads and spends more
time handing them their halves than they save, so ``stacked_matmul`` gives each pool thread
its own share of the stack and runs the BLAS on one thread meanwhile (threadpoolctl). A
product with a small result and a long sum (a first convolution's filter gradient, 26 x 32
numbers summed over 200,704 positions) is split along its sum instead (``summed_matmul``):
OpenBLAS splits a product by the rows and columns of its result, and there are too few of them.

The pool has as many threads as the BLAS: ``OPENBLAS_NUM_THREADS``, else ``OMP_NUM_THREADS``
(what Snakemake sets from a rule's ``threads:``, and the benchmark before it imports
NumPy), else the cores this process may run on. One thread means no pool at all: every
pass runs in the calling thread, exactly as plain NumPy code would.
"""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# Below this many elements a pass takes microseconds, less than handing it to a thread.
MIN_PARALLEL_SIZE = 1 << 16
# A matrix product whose result has fewer numbers than this is split along its sum (summed_matmul).
SMALL_RESULT = 1 << 16

_pool: ThreadPoolExecutor | None = None
_blas = None  # threadpoolctl's handle on the BLAS libraries NumPy loaded, found on first use
_pool_pid: int | None = None  # the process that made the pool: a forked child must make its own
_threads: int | None = None


def thread_count() -> int:
    """Threads for elementwise passes: the BLAS's thread count (read once, on first use)."""
    global _threads
    if _threads is None:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
            value = os.environ.get(name, "").strip()
            if value.isdigit() and int(value) > 0:
                _threads = int(value)
                break
        else:
            _threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return _threads


def set_thread_count(threads: int) -> None:
    """Use ``threads`` threads from now on (tests use it to run the split paths on any machine)."""
    global _threads, _pool
    if threads < 1:
        raise ValueError(f"the thread count must be at least 1, got {threads}")
    if _pool is not None:
        _pool.shutdown()
        _pool = None
    _threads = threads


def parallel_ranges(task: Callable[[int, int], None], n: int, size: int) -> None:
    """Run ``task(start, stop)`` over [0, n) cut into one contiguous range per thread.

    ``size`` is the number of elements the whole pass touches: a small pass, one thread,
    or n < 2 runs ``task(0, n)`` in the calling thread. Returns when every range is done;
    an exception in any range is raised here.
    """
    global _pool, _pool_pid
    parts = min(thread_count(), n)
    if parts < 2 or size < MIN_PARALLEL_SIZE:
        task(0, n)
        return
    if _pool is None or _pool_pid != os.getpid():
        # A process forked from one with a pool inherits the object but not its threads.
        _pool, _pool_pid = ThreadPoolExecutor(max_workers=thread_count(), thread_name_prefix="digitnet"), os.getpid()
    bounds = [n * k // parts for k in range(parts + 1)]
    # The calling thread takes the first range itself instead of waiting idle.
    futures = [_pool.submit(task, start, stop) for start, stop in zip(bounds[1:-1], bounds[2:], strict=True)]
    task(bounds[0], bounds[1])
    for future in futures:
        future.result()


def outer_axis(a: np.ndarray) -> int:
    """The axis of ``a`` with the largest stride: slices along it are blocks of memory."""
    return int(np.argmax([abs(stride) if length > 1 else 0 for stride, length in zip(a.strides, a.shape, strict=True)]))


def elementwise(function: Callable[..., None], arrays: list[np.ndarray], axis: int | None = None, block: int | None = None) -> None:
    """Call ``function(*slices)`` on matching slices of equally shaped ``arrays``, one slice per thread.

    The slices run along ``axis`` (default: the first array's outermost axis in memory);
    ``function`` writes its results into slices of output arrays it was given. ``block``: at most
    about this many elements of the first array per call, so that a function of several passes
    makes them all while its slice is still in the cache (each thread takes its share in such
    blocks; a single index along the axis is never cut).
    """
    if block is None and (arrays[0].size < MIN_PARALLEL_SIZE or thread_count() < 2):
        function(*arrays)  # the common case for small arrays, without finding an axis first
        return
    axis = outer_axis(arrays[0]) if axis is None else axis
    n = arrays[0].shape[axis]
    step = n if block is None else max(1, block * n // max(arrays[0].size, 1))

    def task(start: int, stop: int) -> None:
        for first in range(start, stop, step):
            index = (slice(None),) * axis + (slice(first, min(first + step, stop)),)
            function(*(a[index] for a in arrays))

    parallel_ranges(task, n, arrays[0].size)


def in_order_of(a: np.ndarray, prototype: np.ndarray) -> np.ndarray:
    """``a``, or a copy of it laid out in memory as ``prototype`` (same shape) is.

    NumPy's elementwise passes over two arrays whose memory orders differ step through one
    of them out of order: a float-by-bool product over 6.4 million numbers took 17 times as
    long here as over two arrays in one order.
    """
    if a.flags.c_contiguous and prototype.flags.c_contiguous:  # the common case, decided fast
        return a
    if np.array_equal(np.argsort(a.strides), np.argsort(prototype.strides)):
        return a
    out = np.empty_like(prototype, dtype=a.dtype)
    elementwise(np.copyto, [out, a])
    return out


def split_products(task: Callable[[int, int], None], n: int, size: int) -> None:
    """Run ``task(start, stop)`` over [0, n), a stack of matrix products (or of passes made of them),
    one contiguous share per thread while the BLAS runs each product on one thread. ``size``: the
    numbers the whole stack writes; one thread or a small stack runs ``task(0, n)`` as it is, with
    the BLAS on all its threads."""
    if thread_count() < 2 or size < MIN_PARALLEL_SIZE:
        task(0, n)
        return
    with one_blas_thread():
        parallel_ranges(task, n, size)


def stacked_matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out[k] = a[k] @ b[k] for every k: a : (K, M, P), b : (K, P, Q), out : (K, M, Q) (views allowed).

    With several threads, each takes a contiguous share of the K products while the BLAS runs
    each product on one thread: on 2 cores (AMD EPYC, AVX-512, in the workflow's job environment)
    the Fourier convolution's 144 real products of 128 x 64 x 256 took 5.8 ms this way against
    6.8 ms with OpenBLAS splitting each one.
    """
    split_products(lambda start, stop: np.matmul(a[start:stop], b[start:stop], out=out[start:stop]), len(out), out.size)


def summed_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for a : (M, K), b : (K, P). When the result (M, P) is small and K long, the sum is
    cut into one stretch K_t per thread, a @ b = sum over t of a[:, K_t] @ b[K_t, :]: each thread
    computes its own (M, P) term on one BLAS thread, and the terms are added.

    On 2 cores (AMD EPYC, AVX2) the first convolution's filter gradient (26 x 200,704 times
    200,704 x 32) took 4.2 ms this way against 5.2 to 7.9 ms with OpenBLAS splitting the product.
    """
    parts = thread_count()
    if parts < 2 or a.shape[0] * b.shape[1] >= SMALL_RESULT or a.size + b.size < MIN_PARALLEL_SIZE or a.shape[1] < parts:
        return a @ b
    partial = np.empty((parts, a.shape[0], b.shape[1]), dtype=np.result_type(a, b))
    bounds = [a.shape[1] * k // parts for k in range(parts + 1)]

    def task(start: int, stop: int) -> None:
        for k in range(start, stop):
            np.matmul(a[:, bounds[k] : bounds[k + 1]], b[bounds[k] : bounds[k + 1]], out=partial[k])

    with one_blas_thread():
        parallel_ranges(task, parts, a.size + b.size)
    return partial.sum(axis=0)


def one_blas_thread():
    """A context in which the BLAS runs on one thread (threadpoolctl), while the pool's threads share the work."""
    global _blas
    if _blas is None:
        # Imported here, on first use: every step that loads the library (and the workflow's
        # parse) would otherwise pay its 30 ms import for the CNN training step's sake.
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController().select(user_api="blas")
    return _blas.limit(limits=1)
