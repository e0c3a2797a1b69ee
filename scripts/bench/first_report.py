"""Benchmark: the first report from an empty results/, with the data local, and the rerun that does nothing.

Copies the workflow into a scratch folder (the default config.yaml and custom_digits/, the
reading model included), runs ``snakemake --cores N`` from nothing for each N given, then once
more, which must do nothing, and times each whole run (Snakemake's start-up included). Each
step's own time comes from the ``benchmark:`` files: the critical path is the longest chain.

    .venv/bin/python scripts/bench/first_report.py --data-dir ../shared/data/mnist --cores 2 1

Writes a record in docs/results/records/ (bench/record.py) and prints a table.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCRIPTS))

from bench.record import write_record  # noqa: E402
from bench.workdir import copy_workflow  # noqa: E402
from digitnet.benchmarks import read_benchmark  # noqa: E402

SLOWEST = 5  # steps listed in the table, slowest first


def timed(workdir: Path, cores: int, data_dir: Path) -> tuple[float, str]:
    """(wall seconds, Snakemake's output) of one run of the workflow in ``workdir``."""
    command = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--config", f"data_dir={data_dir}"]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"snakemake failed in {workdir}:\n{result.stderr[-3000:]}")
    return seconds, result.stdout + result.stderr


def step_times(workdir: Path) -> dict[str, float]:
    """{job: wall seconds} from every benchmark file of the run."""
    return {str(path.relative_to(workdir / "benchmarks").with_suffix("")): read_benchmark(path)["seconds"] for path in (workdir / "benchmarks").rglob("*.tsv")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="folder with MNIST's four IDX files")
    parser.add_argument("--cores", type=int, nargs="+", default=[2, 1])
    parser.add_argument("--no-record", action="store_true", help="print only; write no record")
    args = parser.parse_args()
    rows, figures = [], {"runs": {}}
    for cores in args.cores:
        with tempfile.TemporaryDirectory() as scratch:
            workdir = Path(scratch) / "digitnet"
            workdir.mkdir()
            copy_workflow(workdir)
            first, _ = timed(workdir, cores, args.data_dir.resolve())
            again, output = timed(workdir, cores, args.data_dir.resolve())
            steps = step_times(workdir)
        slowest = sorted(steps.items(), key=lambda item: -item[1])[:SLOWEST]
        figures["runs"][str(cores)] = {"first_report_s": first, "noop_rerun_s": again, "noop": "Nothing to be done" in output, "steps_s": steps}
        rows.append((cores, first, again, "Nothing to be done" in output, slowest))
        print(f"--cores {cores}: first report {first:.1f} s, rerun {again:.1f} s", flush=True)
    lines = ["| --cores | first report s | rerun s (nothing to do) | slowest steps, s |", "|---:|---:|---:|---|"]
    for cores, first, again, noop, slowest in rows:
        steps = ", ".join(f"{name} {seconds:.1f}" for name, seconds in slowest)
        lines.append(f"| {cores} | {first:.1f} | {again:.1f}{'' if noop else ' (ran jobs!)'} | {steps} |")
    tables = "\n".join(lines)
    print(tables)
    headline = {f"first report, --cores {cores}": f"{first:.1f} s" for cores, first, *_ in rows}
    headline |= {f"rerun, --cores {cores}": f"{again:.1f} s" for cores, _, again, *_ in rows}
    if not args.no_record:
        print(f"record: {write_record('first-report', figures, tables, headline)}")


if __name__ == "__main__":
    main()
