"""Benchmark: the first report from an empty results/, with the data local, and the rerun that does nothing.

Copies the workflow into a scratch folder (the default config.yaml and custom_digits/, the
reading model included), runs ``snakemake --cores N`` from nothing for each N given, then once
more, which must do nothing, and times each whole run (Snakemake's start-up included). The
runs are repeated, interleaved across the --cores given, and the medians reported with their
range: on a shared machine one run can be 20% slower than the next. Each step's own time comes
from the ``benchmark:`` files of the median run.

    .venv/bin/python scripts/bench/first_report.py --data-dir ../shared/data/mnist --cores 2 1 --repeats 3

Writes a record in docs/results/records/ (bench/record.py) and prints a table.
"""

import argparse
import statistics
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


def one_run(cores: int, data_dir: Path) -> dict:
    """One first report and its no-op rerun in a fresh scratch copy: their seconds and each step's."""
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch) / "digitnet"
        workdir.mkdir()
        copy_workflow(workdir)
        first, _ = timed(workdir, cores, data_dir)
        again, output = timed(workdir, cores, data_dir)
        return {"first_report_s": first, "noop_rerun_s": again, "noop": "Nothing to be done" in output, "steps_s": step_times(workdir)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="folder with MNIST's four IDX files")
    parser.add_argument("--cores", type=int, nargs="+", default=[2, 1])
    parser.add_argument("--repeats", type=int, default=3, help="runs for each --cores, interleaved; the median is reported")
    parser.add_argument("--no-record", action="store_true", help="print only; write no record")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, not {args.repeats}")
    # Interleaved (2, 1, 2, 1, ...), not one --cores after the other: a machine that slows
    # down for a minute then slows every setting alike, and the spread shows how much it moved.
    runs: dict[int, list[dict]] = {cores: [] for cores in args.cores}
    for repeat in range(args.repeats):
        for cores in args.cores:
            run = one_run(cores, args.data_dir.resolve())
            runs[cores].append(run)
            print(f"--cores {cores}, run {repeat + 1}/{args.repeats}: first report {run['first_report_s']:.1f} s, rerun {run['noop_rerun_s']:.1f} s", flush=True)
    figures: dict = {"repeats": args.repeats, "runs": {}}
    lines = [
        f"| --cores | first report s, median of {args.repeats} (range) | rerun s, median (nothing to do) | slowest steps of the median run, s |",
        "|---:|---:|---:|---|",
    ]
    headline = {}
    for cores, done in runs.items():
        by_time = sorted(done, key=lambda run: run["first_report_s"])
        firsts = [run["first_report_s"] for run in by_time]
        middle = by_time[len(done) // 2]
        first = float(statistics.median(firsts))
        again = float(statistics.median(run["noop_rerun_s"] for run in done))
        noop = all(run["noop"] for run in done)
        figures["runs"][str(cores)] = {
            "first_report_s": first,
            "first_report_runs_s": [run["first_report_s"] for run in done],
            "noop_rerun_s": again,
            "noop_rerun_runs_s": [run["noop_rerun_s"] for run in done],
            "noop": noop,
            "steps_s": middle["steps_s"],
        }
        slowest = sorted(middle["steps_s"].items(), key=lambda item: -item[1])[:SLOWEST]
        steps = ", ".join(f"{name} {seconds:.1f}" for name, seconds in slowest)
        lines.append(f"| {cores} | {first:.1f} ({firsts[0]:.1f}-{firsts[-1]:.1f}) | {again:.1f}{'' if noop else ' (ran jobs!)'} | {steps} |")
        headline[f"first report, --cores {cores}"] = f"{first:.1f} s"
        headline[f"rerun, --cores {cores}"] = f"{again:.1f} s"
    tables = "\n".join(lines)
    print(tables)
    if not args.no_record:
        print(f"record: {write_record('first-report', figures, tables, headline)}")


if __name__ == "__main__":
    main()
