"""Benchmark: one configuration's featured model trained and tested by the workflow, from nothing.

Copies the workflow into a scratch folder, runs it up to the featured model's evaluation with the
given config files over config.yaml (the data local), and reads the training step's time and peak
memory from its ``benchmark:`` file and the test accuracy from metrics.json.

    .venv/bin/python scripts/bench/train_config.py --data-dir ../shared/data/mnist --configfile workflow/configs/cnn.yaml

Writes a record in docs/results/records/ (bench/record.py) and prints a table.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

SCRIPTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCRIPTS))

from bench.record import write_record  # noqa: E402
from bench.workdir import copy_workflow  # noqa: E402
from digitnet.benchmarks import read_benchmark  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--configfile", type=Path, required=True, help="a config over config.yaml, as --configfile gives it")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    config = yaml.safe_load(args.configfile.read_text())
    name = config.get("compare", {}).get("name", "mlp128")
    with tempfile.TemporaryDirectory() as scratch:
        workdir = copy_workflow(Path(scratch) / "digitnet")
        target = f"results/models/mnist/{name}/metrics.json"
        command = [sys.executable, "-m", "snakemake", "--cores", str(args.cores), target, "--configfile", str(args.configfile.resolve()), "--config", f"data_dir={args.data_dir.resolve()}"]
        result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(result.stderr[-3000:])
        accuracy = json.loads((workdir / target).read_text())["test_accuracy"]
        train = read_benchmark(workdir / f"benchmarks/train/mnist/{name}.tsv")
        epochs = json.loads((workdir / f"results/models/mnist/{name}/model.json").read_text())["hyper_parameters"]["train"]["epochs"]
    figures = {"config": str(args.configfile), "model": name, "epochs": epochs, "cores": args.cores, "test_accuracy": accuracy, "train_seconds": train["seconds"], "train_peak_mb": train["max_rss_mb"]}
    tables = "\n".join(
        [
            "| config | model | epochs | --cores | test accuracy | training step s | peak MB |",
            "|---|---|---:|---:|---:|---:|---:|",
            f"| `{args.configfile}` | {name} | {epochs} | {args.cores} | {accuracy:.2%} | {train['seconds']:.1f} | {train['max_rss_mb'] or 0:.0f} |",
        ]
    )
    print(tables)
    headline = {f"{name}: test accuracy": f"{accuracy:.2%}", f"{name}: training step": f"{train['seconds']:.0f} s at --cores {args.cores}"}
    if not args.no_record:
        print(f"record: {write_record('train-' + name, figures, tables, headline)}")


if __name__ == "__main__":
    main()
