"""A benchmark's record: every figure it measured, with the command, commit, date and machine that made it.

Records are JSON files under docs/results/records/, committed; docs/results.md is generated
from them (scripts/bench/results_page.py), so a figure is never typed twice.
"""

import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RECORDS = REPO / "docs" / "results" / "records"


def processor() -> dict:
    """The processor's name, its widest vector instructions (AVX-512 or AVX2), its core count, and
    the BLAS library with the kernel it picked (threadpoolctl), as far as this machine tells."""
    name, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                name = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    except OSError:
        pass
    vector = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "neither AVX2 nor AVX-512"
    blas = []
    try:
        import numpy  # noqa: F401  (loads the BLAS, so that threadpoolctl sees it)
        from threadpoolctl import threadpool_info

        blas = [
            {key: info.get(key) for key in ("internal_api", "version", "architecture", "num_threads")}
            for info in threadpool_info()
            if info.get("user_api") == "blas"
        ]
    except ImportError:
        pass
    return {"name": name, "vector": vector, "cores": os.cpu_count(), "blas": blas}


def sgemm_now(threads: tuple[int, ...] = (1, 2)) -> dict[str, float]:
    """{thread count: GFLOP/s} of a 2048 x 2048 float32 product (bench.flops.sgemm_rate), each
    measured in a fresh process, since OpenBLAS reads its thread count once, when it loads.

    Written into every record: this machine's speed moves from hour to hour (the same CNN step
    took 73 to 79 ms, then 105 to 115 ms an hour later, when the 2-thread rate had fallen from
    about 190 to 122 GFLOP/s), and the rate when the record was written tells a slowed machine
    from slower code."""
    from digitnet.environment import THREAD_VARIABLES

    code = "from bench.flops import sgemm_rate; print(sgemm_rate('numpy'))"
    rates = {}
    for count in threads:
        env = os.environ | {name: str(count) for name in THREAD_VARIABLES} | {"PYTHONPATH": str(REPO / "scripts")}
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        if result.returncode == 0:
            rates[str(count)] = round(float(result.stdout), 1)
    return rates


def commit(repo: Path = REPO) -> str:
    """The checked-out commit, with "+changes" when the working tree differs from it. Records
    alone do not count: benchmarks run one after another write theirs before any is committed,
    and none of them changes what the next one measures."""
    records = RECORDS.relative_to(REPO).as_posix()
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", f":(exclude){records}"],
            cwd=repo,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def write_record(benchmark: str, figures: dict, tables: str, headline: dict[str, str], folder: Path = RECORDS) -> Path:
    """Write the record of one run of ``benchmark``; return its path.

    figures: every number measured, as JSON; tables: the same as the Markdown tables the
    benchmark prints, which the results page shows; headline: a few figures by name, already
    formatted with their units, for the page's history table and the README. The file is
    named by benchmark, date and processor kind, so a run on another machine or day adds a
    record and a rerun on the same day and machine replaces its own.
    """
    machine = processor() | {"sgemm_gflops": sgemm_now()}
    now = datetime.datetime.now(datetime.UTC)
    record = {
        "benchmark": benchmark,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "commit": commit(),
        "date": now.strftime("%Y-%m-%d"),
        "processor": machine,
        "headline": headline,
        "tables": tables,
        "figures": figures,
    }
    folder.mkdir(parents=True, exist_ok=True)
    kind = machine["vector"].replace("-", "").lower()
    path = folder / f"{benchmark}-{record['date']}-{kind}.json"
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return path
