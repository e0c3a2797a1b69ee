"""What every job's process needs in its environment before NumPy loads.

The C library and OpenBLAS read these once, when the process starts or NumPy is first
imported, so they cannot be set from inside a step. The workflow puts them in the
environment of every job it starts (workflow/rules/common.smk), and the benchmark in that of
every run it times, so that both run the library as a job does. A value already set in the
environment is left as it is: set one yourself to override it.

- ``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_MMAP_THRESHOLD_``: NumPy's batch-sized temporaries are
  freed and allocated again at every batch. By default glibc hands such memory back to the
  kernel (it trims the heap, or maps a block anew), so each batch pays its page faults again:
  augmented training spent about half its CPU time there. Keeping freed memory for reuse (up
  to 64 MiB) and serving blocks under 32 MiB from the heap halved its CPU time. Any C library
  but glibc ignores them.
- ``OPENBLAS_THREAD_TIMEOUT``: after each matrix product OpenBLAS keeps its worker threads
  spinning for 2^28 cycles (about 0.1 s) before they sleep. On a machine with as many cores as
  BLAS threads, they spin on the cores that the elementwise passes between the products want
  (digitnet.nn.parallel): a CNN's training step took 178-187 ms at 2 threads with them spinning
  and 119-124 ms with 2^16 cycles (about 25 microseconds; three runs each, alternating). Not
  shorter: at 2^4, the least OpenBLAS allows, every product woke a sleeping thread, and the dense
  network's products (a batch of 256 through 784 x 128) ran at one thread's speed.
"""

import os

JOB_ENVIRONMENT = {
    "MALLOC_TRIM_THRESHOLD_": str(64 * 2**20),
    "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
    "OPENBLAS_THREAD_TIMEOUT": "16",
}


def set_job_environment(environ: dict = os.environ) -> None:
    """Put JOB_ENVIRONMENT into ``environ`` (the process's own by default), keeping values already there."""
    for name, value in JOB_ENVIRONMENT.items():
        environ.setdefault(name, value)
