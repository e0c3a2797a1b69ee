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
  and 119-124 ms with 2^16 cycles (three runs each, alternating). 2^20 cycles (about 0.4 ms) is
  as fast for the CNN (126-144 ms against 125-145 ms for 2^16, alternating), and keeps the
  threads awake between a dense network's back-to-back products, which each woke a sleeping
  thread at 2^16 (an epoch of 784-128-10 at 2 threads: 0.268-0.294 s at 2^20, 0.261-0.271 s
  spinning, 0.288-0.401 s at 2^16; at 2^4, the least OpenBLAS allows, each product ran at one
  thread's speed).
"""

import os

JOB_ENVIRONMENT = {
    "MALLOC_TRIM_THRESHOLD_": str(64 * 2**20),
    "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
    "OPENBLAS_THREAD_TIMEOUT": "20",
}


def set_job_environment() -> None:
    """Put JOB_ENVIRONMENT into this process's environment (which its children inherit), keeping values already there."""
    for name, value in JOB_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
