"""What every job's process needs in its environment before NumPy loads.

The C library and OpenBLAS read these once, when the process starts or NumPy is first
imported, so they cannot be set from inside a step. The workflow puts them in the
environment of every job it starts (workflow/rules/common.smk), and the benchmark in that of
every run it times, so that both run the library as a job does. A value already set in the
environment is left as it is: set one yourself to override it.

- ``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_MMAP_THRESHOLD_``: NumPy's batch-sized temporaries are
  freed and allocated again at every batch. By default glibc hands such memory back to the
  kernel (it trims the heap, or maps a block anew), so each batch would pay its page faults
  again. Freed memory is kept for reuse (up to 64 MiB) and blocks under 32 MiB are served from
  the heap. Any C library but glibc ignores them.
- ``OPENBLAS_THREAD_TIMEOUT``: after each matrix product OpenBLAS keeps its worker threads
  spinning for 2^28 cycles (about 0.1 s) before they sleep. On a machine with as many cores as
  BLAS threads, they spin on the cores that the elementwise passes between the products want
  (digitnet.nn.parallel). 2^20 cycles (about 0.4 ms) frees those cores for the CNN's passes,
  and keeps the threads awake between a dense network's back-to-back products, which a shorter
  wait would make wake a sleeping thread each (docs/design/threads.md).
- ``NUMPY_MADVISE_HUGEPAGE``: NumPy asks the kernel for 2 MiB pages for every array of 4 MiB
  or more. Where memory that has not been touched lately is slow to hand out, as on the
  virtual machine this was measured on (an AMD EPYC with AVX2, 2 cores, the kind this project
  is built and tested on), such a page costs far more to touch the first time than 512 small
  ones. There, new arrays of 1 GB took 5.4 to 8.5 s with large pages (0.12 s when the memory
  had just been freed) and 0.54 s without. With 4 KiB pages only, the first report from an empty
  ``results/`` took 38.7 and 40.6 s at ``--cores 2`` against 43.6 and 45.0 s, and 69.3 and
  69.7 s at ``--cores 1`` against 72.7 and 77.8 s (interleaved runs): each job reads its data
  into new arrays once. Once the memory is in use, the cost is small. A CNN training step
  took the same time either way; the dense network's epoch took 2 to 3% longer, since its
  batches are gathered from all over a 172 MB array.
"""

import os

JOB_ENVIRONMENT = {
    "MALLOC_TRIM_THRESHOLD_": str(64 * 2**20),
    "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
    "OPENBLAS_THREAD_TIMEOUT": "20",
    "NUMPY_MADVISE_HUGEPAGE": "0",
}


def set_job_environment() -> None:
    """Put JOB_ENVIRONMENT into this process's environment (which its children inherit), keeping values already there."""
    for name, value in JOB_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


# The variables by which OpenBLAS, OpenMP and MKL read their thread count, once, on loading.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_threads(threads: int) -> None:
    """Fix the BLAS/OpenMP thread count of this process and its children; must run before NumPy
    (or PyTorch) is imported. The benchmarks call it in each worker; the workflow's jobs get
    theirs from Snakemake, from each rule's ``threads:``."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
