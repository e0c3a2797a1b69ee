"""What a job's process finds in its environment (digitnet.environment): set before NumPy loads, a user's own value kept."""

import json
import os
import subprocess
import sys
from pathlib import Path

from digitnet.environment import JOB_ENVIRONMENT

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"

# Run in a fresh interpreter: as Snakemake does, it sets the job environment, then starts a job.
PARENT = """
import os, subprocess, sys
from digitnet.environment import set_job_environment
set_job_environment()
child = "import json, os, numpy._core.multiarray as m; print(json.dumps({'huge_pages': m._get_madvise_hugepage(), **dict(os.environ)}))"
print(subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True).stdout)
"""


def job_sees(**user_values: str) -> dict:
    """The environment (and NumPy's large-page setting) of a job started by a process that called set_job_environment."""
    env = {k: v for k, v in os.environ.items() if k not in JOB_ENVIRONMENT}  # as a fresh shell has it
    env.update(user_values, PYTHONPATH=str(SCRIPTS))
    result = subprocess.run([sys.executable, "-c", PARENT], capture_output=True, text=True, check=True, env=env)
    return json.loads(result.stdout)


def test_a_job_loads_numpy_with_small_pages_and_the_blas_threads_that_sleep_soon():
    seen = job_sees()
    assert seen["huge_pages"] is False
    assert seen["NUMPY_MADVISE_HUGEPAGE"] == "0"
    assert seen["OPENBLAS_THREAD_TIMEOUT"] == "20"
    assert seen["MALLOC_MMAP_THRESHOLD_"] == str(32 * 2**20)


def test_a_value_the_user_set_is_kept():
    seen = job_sees(NUMPY_MADVISE_HUGEPAGE="1", OPENBLAS_THREAD_TIMEOUT="25")
    assert seen["huge_pages"] is True
    assert seen["OPENBLAS_THREAD_TIMEOUT"] == "25"
