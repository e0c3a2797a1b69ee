"""Benchmark: the from-scratch NumPy network against the same network in PyTorch, on the CPU.

What is measured, per framework and thread count:

- seconds per epoch: the whole training loop (mini-batch updates plus the per-epoch
  validation pass) divided by the number of epochs, for a full run of the configured
  length; data loading, imports and the final test pass are outside the timing;
- total training seconds, and the ratio of NumPy's time to PyTorch's at equal threads;
- test accuracy on the 10,000 official test images;
- peak resident memory (ru_maxrss) of the process that trained, data included;
- the floor: the floating-point operations of an epoch's matrix products (counted from the
  layer shapes, forward and backward, validation included) divided by this machine's
  sgemm rate at the same thread count (a 2048 x 2048 float32 product, best of 5, measured
  by each worker after training with its own library; the faster library sets the rate),
  and the share of that floor each framework reaches: floor seconds / its seconds.

Both sides get the same data (prepared as the workflow prepares it: the config's split
seed and sizes, float32 in [0, 1]), the same architecture, initialization scheme, batch
size, optimizer, weight decay (weight matrices only), per-step learning-rate schedule,
epochs and per-epoch validation. NumPy trains through the project's own ``fit``; PyTorch
through a plain loop with the same steps, in PyTorch's default settings. Medians are
taken over ``--repeats`` runs with seeds train.seed, train.seed + 1, ...

Why one subprocess per run: thread counts must be fixed before NumPy or PyTorch is
imported (OMP/OpenBLAS/MKL read them once), and ru_maxrss is a per-process peak, so a
fresh process per run gives each framework its own memory figure. ``import torch``
happens only in the PyTorch worker. Run orders alternate between repeats so neither
framework always runs first.

    .venv/bin/python scripts/bench/torch_compare.py                       # defaults: 1 and 2 threads, 3 repeats
    .venv/bin/python scripts/bench/torch_compare.py --epochs 2 --repeats 1 --threads 1   # a quick check
    .venv/bin/python scripts/bench/torch_compare.py --model cnn --batches 20     # the CNN's median step, in a few minutes

``--batches N`` times N training steps per run (after 2 warm-up steps) instead of whole
epochs and reports each run's median step: a per-batch ratio that a loaded machine disturbs
less than an epoch (validation, test accuracy and the epoch's other work are left out).
It also reports each step's process CPU time: at 1 thread, the ratio to read on a machine
other jobs share, since wall time counts their turns and CPU time does not (their use of the
shared caches still slows both frameworks, PyTorch more).

``--layers N`` times only NumPy, layer by layer: each layer's forward and backward pass over
N training steps (after 2 warm-up steps), the fastest of the N in CPU time of the process, on
the first thread count given; it shows which pass is far from its share of the floor.

Writes ``<out>/torch_vs_numpy.json`` (every run, per-epoch times, versions, BLAS, CPU)
and ``<out>/torch_vs_numpy.md`` (the summary table), and prints the table.
"""

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

SCRIPTS = Path(__file__).resolve().parents[1]
REPO = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

from bench.flops import epoch_flops, method_flops, sgemm_rate  # noqa: E402
from bench.record import processor, write_record  # noqa: E402
from bench.torch_models import torch_environment, torch_setup, torch_step, train_torch  # noqa: E402
from digitnet.environment import limit_threads, set_job_environment  # noqa: E402  (imports no NumPy)

FRAMEWORKS = ("numpy", "torch")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; ``--worker`` and ``--seed`` are for the subprocesses only."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    default_data = os.environ.get("DIGITNET_MNIST_DIR", str(REPO.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--data-dir", type=Path, default=Path(default_data), help="folder with MNIST (default: %(default)s)")
    parser.add_argument("--config", type=Path, default=REPO / "config.yaml", help="workflow config (default: %(default)s)")
    parser.add_argument("--threads", type=thread_list, default=[1, 2], help="comma-separated thread counts (default: 1,2)")
    parser.add_argument("--epochs", type=int, default=None, help="override train.epochs of the config")
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp", help="the config's MLP, or digitnet's CNN preset")
    parser.add_argument("--lr", type=float, default=None, help="override train.lr of the config")
    parser.add_argument("--repeats", type=int, default=3, help="runs per framework and thread count (default: 3)")
    parser.add_argument(
        "--batches",
        type=int,
        default=0,
        help="quick mode: time this many training steps per run (after 2 warm-up steps) instead of whole "
        "epochs, and report the median step (no validation, no test accuracy)",
    )
    parser.add_argument(
        "--layers",
        type=int,
        default=0,
        help="instead: NumPy's forward and backward CPU milliseconds per layer, the fastest of this many steps",
    )
    parser.add_argument("--out", type=Path, default=REPO / "results" / "benchmark", help="output folder (default: %(default)s)")
    parser.add_argument("--no-record", action="store_true", help="print only; write no record in docs/results/records/")
    parser.add_argument("--worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def thread_list(text: str) -> list[int]:
    """'1,2' -> [1, 2]; every count must be a positive integer."""
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"thread counts must be positive integers, got {text!r}")
    return counts


def load_config(path: Path, epochs: int | None, model: str = "mlp", lr: float | None = None) -> dict:
    """The data, split, model and train slices of config.yaml, with ``epochs`` and ``lr`` overriding
    the train slice; for ``model == "cnn"`` also the layer stack of digitnet's CNN preset."""
    config = yaml.safe_load(path.read_text())
    train = dict(config["train"])
    if epochs is not None:
        train["epochs"] = epochs
    if lr is not None:
        train["lr"] = lr
    chosen = {"data": config["data"], "split": config["split"], "model": config["model"], "train": train}
    if model == "cnn":
        from digitnet.model import CNN_PRESET

        chosen["stack"] = CNN_PRESET
    return chosen


# ---------------------------------------------------------------- worker side
# NumPy, digitnet and torch are imported inside these functions, after limit_threads.


def load_splits(data_dir: Path, config: dict):
    """(train, validation, test) Splits prepared exactly as the workflow's prepare_data step does."""
    import numpy as np

    from digitnet.data.prepare import split_dataset
    from digitnet.data.sources import find_files, load_raw

    fmt, files = find_files(data_dir, config["data"]["format"])
    split = config["split"]
    rng = np.random.default_rng(split["seed"])
    return split_dataset(load_raw(fmt, files), split["validation_size"], rng, split["test_size"], split["train_limit"])


def numpy_setup(config: dict, n_train: int, seed: int):
    """(model, optimizer, schedule, rng) as the train step makes them: build_stack or
    model_from_config, make_optimizer, make_schedule over the config's epochs."""
    import numpy as np

    from digitnet.model import build_stack, model_from_config
    from digitnet.nn.optimizers import make_optimizer
    from digitnet.nn.schedules import make_schedule

    train_cfg = config["train"]
    rng = np.random.default_rng(seed)
    if "stack" in config:
        model = build_stack(config["stack"], 10, rng)
    else:
        model = model_from_config(config["model"], 784, 10, rng)
    optimizer = make_optimizer(model.parameters(), train_cfg)
    steps = math.ceil(n_train / train_cfg["batch_size"])
    return model, optimizer, make_schedule(train_cfg["schedule"], train_cfg["lr"], steps, train_cfg["epochs"]), rng


def train_numpy(splits, config: dict, seed: int) -> dict:
    """Train with the project's build_mlp, make_optimizer, make_schedule and fit; time the fit call."""
    from digitnet.metrics import accuracy
    from digitnet.train import FitSettings, fit

    train, val, test = splits
    train_cfg = config["train"]
    epochs, batch_size = train_cfg["epochs"], train_cfg["batch_size"]
    model, optimizer, schedule, rng = numpy_setup(config, len(train.X), seed)
    started = time.perf_counter()
    history, _ = fit(
        model, optimizer, schedule, train.X, train.y, val.X, val.y, FitSettings(epochs, batch_size, train_cfg["l2"]), rng
    )
    train_seconds = time.perf_counter() - started
    return {
        "train_seconds": train_seconds,
        "epoch_seconds": [record.seconds for record in history],
        "val_loss": history[-1].val_loss,
        "val_accuracy": history[-1].val_acc,
        "test_accuracy": accuracy(test.y, model.predict_proba(test.X).argmax(axis=1)),
    }


def step_seconds(framework: str, splits, config: dict, seed: int, threads: int, batches: int, warmup: int = 2) -> dict:
    """Seconds of each of ``batches`` training steps (after ``warmup`` untimed ones), the first
    batches of a shuffled epoch: digitnet's train_epoch on one batch at a time, or torch_step."""
    import numpy as np

    train = splits[0]
    batch_size = config["train"]["batch_size"]
    order = np.random.default_rng(seed).permutation(len(train.X))
    batches_of = [order[k * batch_size : (k + 1) * batch_size] for k in range(warmup + batches)]
    if framework == "numpy":
        from digitnet.nn.losses import SoftmaxCrossEntropy
        from digitnet.train import FitSettings, train_epoch

        model, optimizer, schedule, rng = numpy_setup(config, len(train.X), seed)
        settings, loss_fn, losses = FitSettings(1, batch_size, config["train"]["l2"]), SoftmaxCrossEntropy(), np.empty(1)

        def step(k: int, batch: np.ndarray) -> None:
            train_epoch(model, loss_fn, optimizer, schedule, train.X[batch], train.y[batch], settings, rng, k, losses, 1)
    else:
        import torch

        model, optimizer, schedule = torch_setup(config, len(train.X), seed, threads)
        X, y = torch.from_numpy(train.X), torch.from_numpy(train.y)

        def step(k: int, batch: np.ndarray) -> None:
            index = torch.from_numpy(batch)
            torch_step(model, optimizer, X[index], y[index], schedule(k), 1)

    seconds, cpu_seconds = [], []
    for k, batch in enumerate(batches_of):
        started, cpu_started = time.perf_counter(), time.process_time()
        step(k, batch)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    return {
        "step_seconds": seconds[warmup:],
        "step_cpu_seconds": cpu_seconds[warmup:],
        **({} if framework == "numpy" else torch_environment()),
    }


def run_worker(args: argparse.Namespace) -> None:
    """One measurement in this process: print a JSON line with timings, accuracy and peak memory."""
    limit_threads(args.threads[0])
    config = load_config(args.config, args.epochs, args.model, args.lr)
    splits = load_splits(args.data_dir, config)
    if args.batches:
        # One "epoch" of the summary is one batch: the median step, and a step's operations.
        steps = step_seconds(args.worker, splits, config, args.seed, args.threads[0], args.batches)
        median = statistics.median(steps["step_seconds"])
        result = {**steps, "train_seconds": median, "epoch_seconds": [median], "test_accuracy": math.nan}
        result["cpu_seconds"] = statistics.median(steps["step_cpu_seconds"])
        result["epoch_gflop"] = epoch_flops(config, config["train"]["batch_size"], 0) / 1e9
        result["method_gflop"] = sum(method_flops(config, config["train"]["batch_size"], 0).values()) / 1e9
    else:
        if args.worker == "numpy":
            result = train_numpy(splits, config, args.seed)
        else:
            result = train_torch(splits, config, args.seed, args.threads[0])
        result["epoch_gflop"] = epoch_flops(config, len(splits[0].X), len(splits[1].X)) / 1e9
        result["method_gflop"] = sum(method_flops(config, len(splits[0].X), len(splits[1].X)).values()) / 1e9
    result["sgemm_gflops"] = sgemm_rate(args.worker)
    import numpy as np
    from threadpoolctl import threadpool_info

    result.update(
        framework=args.worker,
        threads=args.threads[0],
        seed=args.seed,
        epochs=1 if args.batches else config["train"]["epochs"],
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KB on Linux
        numpy_version=np.__version__,
        threadpools=threadpool_info(),
    )
    print(json.dumps(result))


# ---------------------------------------------------------------- driver side


def measure(args: argparse.Namespace, framework: str, threads: int, seed: int) -> dict:
    """Run one worker subprocess and return the JSON it printed on its last line."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", framework, "--threads", str(threads)]
    command += ["--seed", str(seed), "--config", str(args.config), "--data-dir", str(args.data_dir)]
    if args.epochs is not None:
        command += ["--epochs", str(args.epochs)]
    if args.lr is not None:
        command += ["--lr", str(args.lr)]
    command += ["--model", args.model]
    if args.batches:
        command += ["--batches", str(args.batches)]
    completed = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def summarize(runs: list[dict], thread_counts: list[int]) -> list[dict]:
    """One row per (threads, framework): medians over repeats, and NumPy's time over PyTorch's."""
    rows = []
    for threads in thread_counts:
        group = {}
        for framework in FRAMEWORKS:
            mine = [run for run in runs if run["threads"] == threads and run["framework"] == framework]
            per_run = [run["train_seconds"] / run["epochs"] for run in mine]
            per_epoch = [run["epoch_seconds"] for run in mine]
            group[framework] = {
                "threads": threads,
                "framework": framework,
                "runs": len(mine),
                "seconds_per_epoch": statistics.median(per_run),
                "seconds_per_epoch_range": [min(per_run), max(per_run)],
                "train_seconds": statistics.median(run["train_seconds"] for run in mine),
                "epoch_seconds": [statistics.median(epoch) for epoch in zip(*per_epoch, strict=True)],
                "test_accuracy": statistics.median(run["test_accuracy"] for run in mine),
                "peak_rss_mb": statistics.median(run["peak_rss_mb"] for run in mine),
            }
            if all("cpu_seconds" in run for run in mine):
                group[framework]["cpu_seconds_per_epoch"] = statistics.median(run["cpu_seconds"] for run in mine)
        ratio = group["numpy"]["seconds_per_epoch"] / group["torch"]["seconds_per_epoch"]
        group["numpy"]["numpy_over_torch"], group["torch"]["numpy_over_torch"] = ratio, 1.0
        # The floor at this thread count: the epoch's products at the faster library's sgemm rate.
        rate = max(
            statistics.median(run["sgemm_gflops"] for run in runs if run["threads"] == threads and run["framework"] == f)
            for f in FRAMEWORKS
        )
        gflop = statistics.median(run["epoch_gflop"] for run in runs if run["threads"] == threads)
        # Its own method's arithmetic: digitnet's convolution by the DFT computes less than the direct sums.
        own = statistics.median(run.get("method_gflop", run["epoch_gflop"]) for run in runs if run["threads"] == threads)
        for framework, row in group.items():
            method = own if framework == "numpy" else gflop
            row.update(epoch_gflop=gflop, method_gflop=method, sgemm_gflops=rate, floor_seconds=gflop / rate)
            row["floor_share"] = row["floor_seconds"] / row["seconds_per_epoch"]
            row["method_floor_share"] = method / rate / row["seconds_per_epoch"]
        rows += [group["numpy"], group["torch"]]
    return rows


def markdown_table(rows: list[dict], environment: dict, config: dict, repeats: int, batches: int = 0) -> str:
    """The summary as a Markdown table, with one line saying what was run on what.

    With ``batches`` (the quick mode) each "epoch" is one training step: the columns say s/batch.
    """
    unit = "batch" if batches else "epoch"
    lines = [
        f"| threads | framework | s/{unit}: median (min-max) | total train s | numpy/torch | test accuracy | peak RSS MB "
        f"| GFLOP/{unit} (direct) | sgemm GFLOP/s | floor s/{unit} (direct) | share of direct floor "
        f"| GFLOP/{unit} (own method) | share of own floor |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        low, high = row["seconds_per_epoch_range"]
        lines.append(
            f"| {row['threads']} | {row['framework']} | {row['seconds_per_epoch']:.3f} ({low:.3f}-{high:.3f}) "
            f"| {row['train_seconds']:.1f} "
            f"| {row['numpy_over_torch']:.2f} | {'-' if batches else format(row['test_accuracy'], '.2%')} "
            f"| {row['peak_rss_mb']:.0f} "
            f"| {row['epoch_gflop']:.1f} | {row['sgemm_gflops']:.0f} | {row['floor_seconds']:.3f} | {row['floor_share']:.0%} "
            f"| {row['method_gflop']:.1f} | {row['method_floor_share']:.0%} |"
        )
    cpu = {(row["threads"], row["framework"]): row["cpu_seconds_per_epoch"] for row in rows if "cpu_seconds_per_epoch" in row}
    if cpu:
        # On a machine other jobs share, wall time counts their turns too; at 1 thread the
        # process's CPU time per step does not, so its ratio is the one to read there.
        lines += ["", "CPU s/batch (process time: at 1 thread it leaves out other jobs' turns, not their use of the caches):"]
        for threads in sorted({threads for threads, _ in cpu}):
            numpy_cpu, torch_cpu = cpu[(threads, "numpy")], cpu[(threads, "torch")]
            lines.append(
                f"- {threads} thread(s): numpy {numpy_cpu:.3f}, torch {torch_cpu:.3f}, numpy/torch {numpy_cpu / torch_cpu:.2f}"
            )
    train = config["train"]
    network = "-".join(str(size) for size in [784, *config["model"]["hidden"], 10]) + " " + config["model"]["activation"]
    if "stack" in config:
        layers = [
            e["type"] + (f" {e['filters']}x{e['kernel']}x{e['kernel']}" if e["type"] == "conv2d" else "") for e in config["stack"]
        ]
        network = "CNN: " + ", ".join(layers) + ", dense 10"
    lines += [
        "",
        f"{network}, {train['optimizer']} lr {train['lr']} "
        f"{train['schedule']['name']}, batch {train['batch_size']}, l2 {train['l2']}, "
        + (f"{train['epochs']} epochs" if not batches else f"{batches} timed steps per run after 2 warm-up steps")
        + f"; medians of {repeats} runs (seeds {train['seed']}..{train['seed'] + repeats - 1}). "
        + (
            "s/epoch = training loop incl. per-epoch validation / epochs. "
            if not batches
            else "s/batch = the run's median training step (forward, backward, update; no validation). "
        )
        + f"direct floor = GFLOP/{unit} of the direct method (matrix products, forward and backward, from the layer "
        f"shapes) at the faster library's 2048 x 2048 sgemm rate at that thread count; share = floor / s/{unit}. Own method: "
        "the arithmetic of the method each of digitnet's layers uses (a convolution by the DFT: its transforms and "
        "per-frequency products; PyTorch's row repeats the direct count), at the same rate. "
        f"{environment['cpu']} ({processor()['vector']}), {environment['cpu_count']} CPUs; NumPy {environment['numpy']} "
        f"({environment['blas']}), PyTorch {environment['torch']} ({environment['torch_blas']}), Python {environment['python']}.",
    ]
    return "\n".join(lines) + "\n"


def cpu_model() -> str:
    """The 'model name' line of /proc/cpuinfo, or the platform's processor string elsewhere."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe_environment(runs: list[dict]) -> dict:
    """CPU, versions and NumPy's BLAS (from threadpoolctl in a NumPy worker)."""
    numpy_run = next(run for run in runs if run["framework"] == "numpy")
    torch_run = next(run for run in runs if run["framework"] == "torch")
    blas = [pool for pool in numpy_run["threadpools"] if pool["user_api"] == "blas"]
    blas_text = ", ".join(f"{pool['internal_api']} {pool['version']} {pool.get('architecture', '')}".strip() for pool in blas)
    return {
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": numpy_run["numpy_version"],
        "torch": torch_run["torch_version"],
        "torch_blas": torch_run["torch_blas"],
        "blas": blas_text or "no BLAS found by threadpoolctl",
        "numpy_threadpools": numpy_run["threadpools"],
        "torch_threadpools": torch_run["threadpools"],
    }


def run_benchmark(args: argparse.Namespace) -> None:
    """Every (repeat, threads, framework) in its own subprocess; write the JSON and the table."""
    config = load_config(args.config, args.epochs, args.model, args.lr)
    total = args.repeats * len(args.threads) * len(FRAMEWORKS)
    runs = []
    for repeat in range(args.repeats):
        seed = config["train"]["seed"] + repeat
        order = FRAMEWORKS if repeat % 2 == 0 else FRAMEWORKS[::-1]
        for threads in args.threads:
            for framework in order:
                run = measure(args, framework, threads, seed)
                runs.append(run)
                print(
                    f"[{len(runs)}/{total}] {framework:5} {threads} thread(s) seed {seed}: "
                    f"{run['train_seconds'] / run['epochs']:.3f} s/{'batch' if args.batches else 'epoch'}, "
                    + ("" if args.batches else f"test {run['test_accuracy']:.2%}, ")
                    + (f"CPU {run['cpu_seconds']:.3f} s, " if "cpu_seconds" in run else "")
                    + f"{run['peak_rss_mb']:.0f} MB",
                    file=sys.stderr,
                    flush=True,
                )
    rows = summarize(runs, args.threads)
    environment = describe_environment(runs)
    table = markdown_table(rows, environment, config, args.repeats, args.batches)
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "command": [Path(sys.executable).name, *sys.argv],
        "environment": environment,
        "config": config,
        "repeats": args.repeats,
        "summary": rows,
        "runs": runs,
    }
    suffix = ("" if args.model == "mlp" else f"_{args.model}") + (f"_{args.batches}batches" if args.batches else "")
    (args.out / f"torch_vs_numpy{suffix}.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / f"torch_vs_numpy{suffix}.md").write_text(table)
    print(table)
    if not args.no_record:
        unit = "batch" if args.batches else "epoch"
        headline = {
            f"{args.model}, {row['threads']} thread{'s' if row['threads'] > 1 else ''}, numpy/torch": f"{row['numpy_over_torch']:.2f} ({row['seconds_per_epoch']:.3f} s/{unit})"
            for row in rows
            if row["framework"] == "numpy"
        }
        print(f"record: {write_record('torch-' + args.model, report, table, headline)}")


def layer_seconds(config: dict, steps: int, seed: int, warmup: int = 2) -> list[tuple[str, float, float]]:
    """(layer, forward s, backward s) for each layer of digitnet's network: the fastest of
    ``steps`` training steps (after ``warmup``) on random batches, in the process's CPU time
    (at 1 thread, other jobs' turns on the machine do not count in it). Layers below the first
    with parameters pass nothing back in training: their backward time is 0."""
    import numpy as np

    from digitnet.nn.losses import SoftmaxCrossEntropy

    model, _, _, rng = numpy_setup(config, config["train"]["batch_size"], seed)
    batch_size, loss_fn, layers = config["train"]["batch_size"], SoftmaxCrossEntropy(), model.layers
    X, y = rng.random((batch_size, 784), dtype=np.float32), rng.integers(0, 10, batch_size)
    first = next(i for i, layer in enumerate(layers) if layer.parameters())
    forward, backward = np.full(len(layers), np.inf), np.zeros(len(layers))
    backward[first:] = np.inf
    for step in range(warmup + steps):
        timed = step >= warmup
        a = X
        for i, layer in enumerate(layers):
            started = time.process_time()
            a = layer.forward(a, training=True)
            if timed:
                forward[i] = min(forward[i], time.process_time() - started)
        loss_fn.forward(a, y)
        grad = loss_fn.backward()
        for i in range(len(layers) - 1, first - 1, -1):
            started = time.process_time()
            grad = layers[i].backward(grad, need_dX=i > first)
            if timed:
                backward[i] = min(backward[i], time.process_time() - started)
    return [(repr(layer), float(f), float(b)) for layer, f, b in zip(layers, forward, backward, strict=True)]


def print_layer_seconds(args: argparse.Namespace) -> None:
    """The --layers mode: one table of forward and backward milliseconds per layer."""
    limit_threads(args.threads[0])
    config = load_config(args.config, args.epochs, args.model, args.lr)
    rows = layer_seconds(config, args.layers, config["train"]["seed"])
    print(
        f"| layer | forward ms | backward ms |  ({args.threads[0]} thread(s), fastest of {args.layers} steps, process CPU time)"
    )
    print("|---|---:|---:|")
    for name, forward, backward in rows:
        print(f"| {name} | {forward * 1e3:.1f} | {backward * 1e3:.1f} |")
    total_forward, total_backward = sum(row[1] for row in rows), sum(row[2] for row in rows)
    print(f"| total | {total_forward * 1e3:.1f} | {total_backward * 1e3:.1f} |")


def main() -> None:
    # Every run, of either framework, in the environment a workflow job gets: the C library
    # reads part of it when a process starts, so the workers inherit it from here.
    set_job_environment()
    args = parse_args()
    if args.layers:
        print_layer_seconds(args)
    elif args.worker:
        run_worker(args)
    else:
        run_benchmark(args)


if __name__ == "__main__":
    main()
