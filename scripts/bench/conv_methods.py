"""Benchmark: each convolution by patches (im2col) and by the DFT, against the choice the cost model makes.

``digitnet.nn.fourier.fourier_is_cheaper`` picks, from a layer's shape alone, the method a
convolution runs by (deterministic, so the same seed trains the same weights on every run).
This times one layer both ways, for the layers of the project's presets and a spread of others
(1 to 32 input channels, 3 x 3 and 5 x 5 kernels, 7 x 7 to 28 x 28 maps): a training step's
forward and backward pass on a training batch, and the forward pass alone (reading) on a few
images (a photo's) and on a chunk of 512. It prints per shape: both times (median of
``--repeats``), the measured ratio fourier / patches, the method the model picks, and how much
slower the pick is than the faster method (1.00 when it picked the faster one).

One subprocess per thread count: OpenBLAS reads its thread count once, on import. Each runs
in the environment the workflow gives its jobs (digitnet.environment: OpenBLAS's threads sleep
soon after a product instead of spinning on the cores the passes between products want).

    .venv/bin/python scripts/bench/conv_methods.py                 # 1 and 2 threads, about a minute
    .venv/bin/python scripts/bench/conv_methods.py --threads 1 --no-record
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCRIPTS))

from bench.record import write_record  # noqa: E402
from digitnet.environment import limit_threads, set_job_environment  # noqa: E402  (imports no NumPy)

# (name, images N, input channels C, map size H, filters F, kernel k, padding p)
SHAPES = [
    ("preset conv1", 256, 1, 28, 32, 5, 2),
    ("reader conv1", 128, 1, 28, 16, 5, 0),
    ("reader conv2", 128, 16, 12, 32, 5, 0),
    ("preset conv2", 256, 32, 14, 64, 5, 2),
    ("1 -> 8, 3 x 3", 128, 1, 28, 8, 3, 1),
    ("4 -> 8, 12 x 12", 128, 4, 12, 8, 5, 0),
    ("8 -> 16, 12 x 12", 128, 8, 12, 16, 5, 0),
    ("8 -> 16, 24 x 24", 128, 8, 24, 16, 5, 0),
    ("32 -> 64, 12 x 12", 128, 32, 12, 64, 5, 0),
    ("16 -> 32, 3 x 3", 128, 16, 14, 32, 3, 1),
    ("32 -> 64, 7 x 7, 3 x 3", 128, 32, 7, 64, 3, 1),
    ("16 -> 16, 28 x 28, 3 x 3", 128, 16, 28, 16, 3, 1),
]
# Images of a photo's forward pass: its few digits, each in a few preparations.
PHOTO_IMAGES = 8


def forward_batches() -> tuple[int, int]:
    """Batches of the forward pass alone: a photo's few images, and a chunk of predict_proba's size
    (imported here, not at the top: a worker sets its thread count before NumPy loads)."""
    from digitnet.model import PREDICT_BATCH

    return PHOTO_IMAGES, PREDICT_BATCH


def median_ms(run, x, W, b, dout, training: bool, repeats: int) -> float:
    """The median milliseconds of ``repeats`` passes of ``run`` (a ConvRun) over x: forward and backward
    (training), or forward alone; after two untimed ones that make the buffers."""
    import statistics

    samples = []
    for i in range(repeats + 2):
        started = time.perf_counter()
        run.forward(x, W, b, training)
        if training:
            run.backward(dout, W)
        if i >= 2:
            samples.append(time.perf_counter() - started)
    return 1e3 * statistics.median(samples)


def measure(repeats: int) -> list[dict]:
    """In this process (threads already fixed): every shape timed both ways, with the model's view."""
    import numpy as np

    from digitnet.nn import fourier
    from digitnet.nn.conv_run import ConvRun, output_size

    rng = np.random.default_rng(0)
    rows = []
    for name, N, C, H, F, k, p in SHAPES:
        W = (rng.standard_normal((F, C, k, k)) * 0.1).astype(np.float32)
        b = np.zeros(F, np.float32)
        Ho = output_size(H, k, 1, p)
        L1, L2 = fourier.transform_shape((H, H), (k, k), 1, p)
        cases = [("training", N, True)] + [("forward", n, False) for n in forward_batches()]
        for mode, images, training in cases:
            # The input and output gradient lie batch-last in memory, as the layers around a convolution leave them.
            x = np.ascontiguousarray(rng.standard_normal((C, H, H, images), dtype=np.float32)).transpose(3, 0, 1, 2)
            dout = rng.standard_normal((F, Ho, Ho, images), dtype=np.float32).transpose(3, 0, 1, 2)
            times = {}
            for method in ("patches", "fourier"):
                run = ConvRun(1, p)
                run.method = method
                times[method] = median_ms(run, x, W, b, dout, training, repeats)
            pick = "fourier" if fourier.fourier_is_cheaper(C, F, k, k, H, H, Ho, Ho, L1, L2, images, training) else "patches"
            rows.append(
                {
                    "layer": name,
                    "mode": mode,
                    "shape": {"N": images, "C": C, "H": H, "F": F, "k": k, "p": p, "L": L1},
                    "patches_ms": times["patches"],
                    "fourier_ms": times["fourier"],
                    "measured_ratio": times["fourier"] / times["patches"],
                    "pick": pick,
                    "slowdown": times[pick] / min(times.values()),
                }
            )
    return rows


def table(threads: int, rows: list[dict]) -> str:
    lines = [
        f"| {threads} thread(s): layer | pass | N, C -> F, H x H, k x k, padding | patches ms | fourier ms | fourier / patches | model picks | its time / the faster |",
        "|---|---|---|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        s = r["shape"]
        lines.append(
            f"| {r['layer']} | {r['mode']} | {s['N']}, {s['C']} -> {s['F']}, {s['H']} x {s['H']}, {s['k']} x {s['k']}, {s['p']} (L {s['L']}) "
            f"| {r['patches_ms']:.2f} | {r['fourier_ms']:.2f} | {r['measured_ratio']:.2f} | {r['pick']} | {r['slowdown']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="BLAS thread counts, one subprocess each")
    parser.add_argument("--repeats", type=int, default=15, help="timed steps per shape and method (median)")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)  # the thread count of one worker
    parser.add_argument("--no-record", action="store_true", help="print only; write no record")
    args = parser.parse_args()
    if args.worker:
        limit_threads(args.worker)
        print(json.dumps(measure(args.repeats)))
        return
    set_job_environment()
    results = {}
    for threads in args.threads:
        out = subprocess.run([sys.executable, __file__, "--worker", str(threads), "--repeats", str(args.repeats)], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"the {threads}-thread worker failed:\n{out.stderr[-3000:]}")
        results[threads] = json.loads(out.stdout.splitlines()[-1])
        print(table(threads, results[threads]) + "\n", flush=True)
    tables = "\n\n".join(table(t, rows) for t, rows in results.items())
    tables += (
        "\n\ntraining: a layer's forward and backward pass on a training batch; forward: the forward pass "
        f"alone on N images. Medians of {args.repeats} calls. model picks: digitnet.nn.fourier.fourier_is_cheaper; "
        "its time / the faster: 1.00 where the model picked the faster method."
    )
    headline = {}
    for threads, rows in results.items():
        right = sum(r["slowdown"] == 1 for r in rows)
        worst = max(rows, key=lambda r: r["slowdown"])
        headline[f"faster method picked, {threads} thread(s)"] = (
            f"{right} of {len(rows)} (worst {worst['slowdown']:.2f}x, {worst['layer']}, {worst['mode']} on {worst['shape']['N']})"
        )
    print(headline)
    if not args.no_record:
        print(f"record: {write_record('conv-methods', {str(t): rows for t, rows in results.items()}, tables, headline)}")


if __name__ == "__main__":
    main()
