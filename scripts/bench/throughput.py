"""Benchmark: how long the workflow takes to read a class's photos, and how large the report gets.

Copies the workflow into a scratch folder, trains a small model there once (5,000 training
images, 2 epochs; only the custom-digit steps are timed), then writes ``--images`` photo-like
JPEGs of MNIST test digits (``--canvas`` pixels square, see bench/photolike.py), spread over
sub-folders as if each writer had their own, and runs the workflow again. It prints, from the
``benchmark:`` files Snakemake writes, the time of each custom-digit step and of the report,
and the report's size. Then it checks the cache: adding one photo must prepare that photo
alone, and a second run must do nothing.

    .venv/bin/python scripts/bench/throughput.py --data-dir ../shared/data/mnist

Nothing generated is committed: the photos are rebuilt from the seed on every run.
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SCRIPTS = Path(__file__).resolve().parents[1]
REPO = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

from bench.photolike import photo_like  # noqa: E402
from bench.record import write_record  # noqa: E402
from bench.workdir import copy_workflow  # noqa: E402
from digitnet.benchmarks import read_benchmark  # noqa: E402
from digitnet.data.formats import read_idx_images, read_idx_labels  # noqa: E402
from digitnet.data.sources import find_files  # noqa: E402

CUSTOM_STEPS = ["read_custom_digits", "collect_predictions", "plot_image_steps"]


def snakemake(workdir: Path, cores: int, *args: str) -> float:
    """Run the workflow in ``workdir``; return its wall-clock seconds (Snakemake's own start-up included)."""
    command = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--configfile", "bench-config.yaml", *args]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"snakemake {' '.join(args)} failed in {workdir}:\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def write_photos(folder: Path, data_dir: Path, count: int, writers: int, canvas: int, seed: int) -> None:
    """``count`` photo-like test digits, labelled in their names, in ``writers`` sub-folders."""
    _, files = find_files(data_dir, "idx")
    images = read_idx_images(files["test_images"])[:count] / 255
    labels = read_idx_labels(files["test_labels"])[:count]
    rng = np.random.default_rng(seed)
    for i, (pixels, label) in enumerate(zip(images, labels, strict=True)):
        writer = folder / f"writer{i % writers:02d}"
        writer.mkdir(parents=True, exist_ok=True)
        photo_like(pixels, rng, canvas=canvas).save(writer / f"photo{i:04d}_{label}.jpg", quality=85)


def step_seconds(workdir: Path, finetune: bool = False) -> dict[str, tuple[float, float]]:
    """{step: (wall-clock s, CPU s)} of the custom-digit steps and the report, from their benchmark files.

    CPU time is quoted beside wall-clock time: on a shared machine the second grows with the load.
    """
    times = {}
    for step in [*CUSTOM_STEPS, *(["finetune"] if finetune else []), "report"]:
        path = workdir / f"benchmarks/{step}.tsv"
        times[step] = (read_benchmark(path)["seconds"], float(pd.read_csv(path, sep="\t")["cpu_time"].sum()))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="folder with MNIST's four IDX files")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/digitnet-throughput"), help="scratch copy of the workflow")
    parser.add_argument("--images", type=int, default=300, help="how many photos")
    parser.add_argument("--writers", type=int, default=10, help="sub-folders the photos are spread over")
    parser.add_argument("--canvas", type=int, default=1000, help="side of each photo in pixels")
    parser.add_argument("--cores", type=int, default=2, help="snakemake --cores")
    parser.add_argument("--mode", default="auto", choices=["auto", "single", "sheet"], help="custom_digits.mode")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-record", action="store_true", help="print only; write no record")
    parser.add_argument("--finetune", action="store_true", help="custom_digits.finetune on: time its step too")
    args = parser.parse_args()

    workdir = args.workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    copy_workflow(workdir, custom_digits=False)  # the photos are its own
    folder = workdir / "photos"
    folder.mkdir()
    config = {
        "data_dir": str(args.data_dir.resolve()),
        "split": {"validation_size": 500, "train_limit": 5000},
        "train": {"epochs": 2},
        "compare": {"models": []},
        "custom_digits": {"folder": "photos", "model": None, "mode": args.mode, "finetune": {"enabled": args.finetune}},
    }
    (workdir / "bench-config.yaml").write_text(yaml.safe_dump(config))
    print(f"training a small model and drawing the report once in {workdir} ...", flush=True)
    snakemake(workdir, args.cores)
    write_photos(folder, args.data_dir, args.images, args.writers, args.canvas, args.seed)
    print(f"{args.images} photos of {args.canvas} x {args.canvas} px in {args.writers} sub-folders; running the workflow ...")
    wall = snakemake(workdir, args.cores)
    seconds = step_seconds(workdir, args.finetune)
    print(f"\n{'step':<22}{'wall s':>9}{'CPU s':>9}   (from benchmarks/<step>.tsv, --cores {args.cores})")
    for step, (wall_s, cpu_s) in seconds.items():
        print(f"{step:<22}{wall_s:>9.2f}{cpu_s:>9.2f}")
    read_and_collect = [seconds["read_custom_digits"][k] + seconds["collect_predictions"][k] for k in (0, 1)]
    everything = [sum(value[k] for value in seconds.values()) for k in (0, 1)]
    print(f"{'read + collect':<22}{read_and_collect[0]:>9.2f}{read_and_collect[1]:>9.2f}   (bar: 30 s)")
    print(f"{'custom steps + report':<22}{everything[0]:>9.2f}{everything[1]:>9.2f}   (bar: 60 s)")
    print(f"whole snakemake run, start-up included: {wall:.1f} s")
    size = (workdir / "report.html").stat().st_size
    print(f"report.html: {size / 1e6:.2f} MB (bar: 5 MB)")
    summary = json.loads((workdir / "results/custom/summary.json").read_text())["summary"]
    print(f"read right: {summary['correct']} of {summary['labelled']} (a small model: 5,000 images, 2 epochs)")

    # A new photo (new bytes: a copy of one already there would be found in the cache).
    write_photos(workdir / "extra", args.data_dir, 1, 1, args.canvas, args.seed + 1)
    shutil.move(next((workdir / "extra").rglob("*.jpg")), folder / "writer00/added.jpg")
    snakemake(workdir, args.cores)
    prepared = json.loads((workdir / "results/custom/readings.json").read_text())["prepared"]
    added = step_seconds(workdir, args.finetune)
    print(f"\none photo added: prepared {prepared}; read + collect {added['read_custom_digits'][0] + added['collect_predictions'][0]:.2f} s")
    dry = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", "bench-config.yaml"],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    nothing = "Nothing to be done" in dry.stdout + dry.stderr
    print("second run:", "nothing to be done" if nothing else "WOULD RUN JOBS")
    figures = {
        "settings": {key: value for key, value in vars(args).items() if key in ("images", "writers", "canvas", "cores", "mode", "seed", "finetune")},
        "steps": {step: {"wall_s": wall_s, "cpu_s": cpu_s} for step, (wall_s, cpu_s) in seconds.items()},
        "read_and_collect_s": read_and_collect[0],
        "custom_steps_and_report_s": everything[0],
        "whole_run_s": wall,
        "report_mb": size / 1e6,
        "one_added_prepared": prepared,
        "second_run_does_nothing": nothing,
    }
    tables = "\n".join(
        [
            f"| {args.images} photos of {args.canvas} px, --cores {args.cores} | wall s | CPU s |",
            "|---|---:|---:|",
            *(f"| {step} | {wall_s:.2f} | {cpu_s:.2f} |" for step, (wall_s, cpu_s) in seconds.items()),
            f"| read + collect | {read_and_collect[0]:.2f} | {read_and_collect[1]:.2f} |",
            f"| custom steps + report | {everything[0]:.2f} | {everything[1]:.2f} |",
            "",
            f"report.html: {size / 1e6:.2f} MB. One photo added: {len(prepared)} prepared. A second run: "
            + ("nothing to be done." if nothing else "jobs would run."),
        ]
    )
    headline = {
        **({"finetune step": f"{seconds['finetune'][0]:.1f} s"} if args.finetune else {}),
        "photos": str(args.images),
        "read + collect": f"{read_and_collect[0]:.1f} s",
        "custom steps + report": f"{everything[0]:.1f} s",
        "report": f"{size / 1e6:.2f} MB",
    }
    if not args.no_record:
        print(f"record: {write_record('throughput-finetune' if args.finetune else 'throughput', figures, tables, headline)}")


if __name__ == "__main__":
    main()
