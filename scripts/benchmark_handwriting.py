"""Benchmark: does MNIST-style preprocessing make photos of digits readable?

Builds, with a seed, photo-like versions of MNIST test digits (dark ink on light paper,
a few hundred pixels, off-center, uneven lighting, blur, noise, thicker and thinner
strokes, a slight rotation, JPEG compression; see digitnet.photolike) and prints, side
by side, the trained network's accuracy on

- the original test digits,
- the photo-like set through this project's preprocessing (digitnet.preprocess),
- the same set through a plain resize to 28 x 28 with inversion (what the notebook did).

It also times preprocessing plus prediction of single 1000 x 1000 JPEG photos read from
disk, the way the workflow handles a custom image, and reports the median.

    .venv/bin/python scripts/benchmark_handwriting.py --weights results/models/mnist/mlp128/weights.npz
    .venv/bin/python scripts/benchmark_handwriting.py --examples custom_digits   # write example images

Nothing generated is committed as data: the set is rebuilt from the seed on every run.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

from digitnet.data.formats import read_idx_images, read_idx_labels  # noqa: E402
from digitnet.data.prepare import normalize  # noqa: E402
from digitnet.model import load_model  # noqa: E402
from digitnet.photolike import photo_like  # noqa: E402
from digitnet.preprocess import ImageError, naive_resize, preprocess_file, preprocess_image  # noqa: E402

# Example images for custom_digits/: (test image index, how to save it).
EXAMPLES = [(61, "jpeg"), (1, "jpeg"), (18, "jpeg"), (4, "jpeg"), (8, "png-transparent"), (11, "jpeg-dark-paper")]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    default_data = os.environ.get("DIGITNET_MNIST_DIR", str(REPO.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--data-dir", type=Path, default=Path(default_data), help="folder with the MNIST test files")
    parser.add_argument(
        "--weights",
        type=Path,
        default=REPO / "results" / "models" / "mnist" / "mlp128" / "weights.npz",
        help="trained network (from the workflow)",
    )
    parser.add_argument("--count", type=int, default=2000, help="test digits turned into photos (default: %(default)s)")
    parser.add_argument(
        "--timing-photos", type=int, default=30, help="1000 x 1000 photos timed one by one (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=REPO / "results" / "benchmark", help="where the JSON and Markdown go")
    parser.add_argument("--examples", type=Path, help="write a few example photos into this folder and stop")
    return parser.parse_args()


def load_test(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    images = read_idx_images(data_dir / "t10k-images-idx3-ubyte.gz")
    return normalize(images), read_idx_labels(data_dir / "t10k-labels-idx1-ubyte.gz")


def write_examples(folder: Path, X: np.ndarray, y: np.ndarray, seed: int) -> None:
    """A few photo-like digits, the label at the end of each name, in three kinds of file."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for index, kind in EXAMPLES:
        label = int(y[index])
        if kind == "jpeg":
            path = folder / f"photo-{index}_{label}.jpg"
            photo_like(X[index], rng).save(path, quality=85)
        elif kind == "png-transparent":
            # Dark ink on a transparent background, as a drawing app exports it.
            path = folder / f"drawing-{index}_{label}.png"
            ink = Image.fromarray((X[index].reshape(28, 28) * 255).astype(np.uint8)).resize((280, 280), Image.Resampling.BICUBIC)
            rgba = Image.new("RGBA", ink.size, (20, 20, 60, 0))
            rgba.putalpha(ink)
            rgba.save(path)
        else:
            # Light chalk on a dark board: the paper is dark, so nothing is inverted.
            path = folder / f"chalkboard-{index}_{label}.jpg"
            board = 1 - np.asarray(photo_like(X[index], rng).convert("L"), dtype=np.float32) / 255
            Image.fromarray((board * 230).astype(np.uint8)).save(path, quality=85)
        print(f"wrote {path}")


def accuracy_table(model, X: np.ndarray, y: np.ndarray, count: int, seed: int) -> dict:
    """Accuracy on the originals, on photos through the preprocessing, and through the naive resize."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(X), size=count, replace=False)
    prepared, naive, failures = [], [], 0
    for index in chosen:
        photo = photo_like(X[index], rng)
        try:
            prepared.append(preprocess_image(photo).pixels)
        except ImageError:
            failures += 1
            prepared.append(np.zeros(784, np.float32))
        naive.append(naive_resize(photo))
    truth = y[chosen]

    def accuracy(images) -> float:
        return float((model.predict_proba(np.asarray(images, dtype=np.float32)).argmax(axis=1) == truth).mean())

    return {
        "count": count,
        "original": accuracy(X[chosen]),
        "preprocessed": accuracy(prepared),
        "naive_resize": accuracy(naive),
        "unreadable": failures,
    }


def time_single_photos(model, X: np.ndarray, count: int, seed: int) -> dict:
    """Median milliseconds to read, preprocess and predict one 1000 x 1000 JPEG photo from disk."""
    rng = np.random.default_rng(seed + 1)
    times = []
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for k in range(count):
            path = Path(folder) / f"{k}.jpg"
            photo_like(X[k], rng, canvas=1000).save(path, quality=90)
            paths.append(path)
        preprocess_file(paths[0])  # warm-up: first calls load code paths and caches
        for path in paths:
            started = time.perf_counter()
            result, _ = preprocess_file(path)
            model.predict_proba(result.pixels[None, :])
            times.append(1000 * (time.perf_counter() - started))
    return {"photos": count, "size": "1000 x 1000 JPEG", "median_ms": statistics.median(times), "max_ms": max(times)}


def main() -> None:
    args = parse_args()
    X, y = load_test(args.data_dir)
    if args.examples:
        write_examples(args.examples, X, y, args.seed)
        return
    model = load_model(args.weights)
    accuracies = accuracy_table(model, X, y, args.count, args.seed)
    timing = time_single_photos(model, X, args.timing_photos, args.seed)
    table = "\n".join(
        [
            "| test digits | count | accuracy |",
            "|---|---:|---:|",
            f"| original MNIST | {accuracies['count']} | {accuracies['original']:.2%} |",
            f"| photo-like, this preprocessing | {accuracies['count']} | {accuracies['preprocessed']:.2%} |",
            f"| photo-like, plain resize + inversion | {accuracies['count']} | {accuracies['naive_resize']:.2%} |",
            "",
            f"Preprocessing + prediction of one {timing['size']} photo from disk: median {timing['median_ms']:.1f} ms "
            f"(max {timing['max_ms']:.1f} ms) over {timing['photos']} photos.",
        ]
    )
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "handwriting.json").write_text(
        json.dumps({"accuracy": accuracies, "timing": timing, "seed": args.seed}, indent=2)
    )
    (args.out / "handwriting.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
