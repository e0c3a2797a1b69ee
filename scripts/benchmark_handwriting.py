"""Benchmark: does MNIST-style preprocessing make photos of digits, and sheets of digits, readable?

Builds, with a seed, photo-like versions of MNIST test digits (dark ink on light paper,
a few hundred pixels, off-center, uneven lighting, blur, noise, thicker and thinner
strokes, a slight rotation, JPEG compression; see digitnet.photolike), in every variant
of paper and pen (ruled and squared lines, pencil, show-through, a digit at the border,
thin ballpoint, coloured paper, a thumb's shadow), and sheets of 3-8 test digits on one
page (varied spacing, a third of the neighbours touching). It prints, side by side for
each trained network given, the accuracy on

- the original test digits,
- each photo-like variant through this project's preprocessing (digitnet.preprocess),
- the plain variant through a plain resize to 28 x 28 with inversion (what the notebook did),
- the sheets through digitnet.segment, each model judging where touching digits part: the share of digits read right (position by
  position, a sheet cut into the wrong number of pieces counting none) and of whole
  sheets read right.

It also times preprocessing plus prediction of single 1000 x 1000 JPEG photos read from
disk, the way the workflow handles a custom image, and reports the median.

    .venv/bin/python scripts/benchmark_handwriting.py --weights results/models/mnist/mlp128/weights.npz
    .venv/bin/python scripts/benchmark_handwriting.py --weights a.npz b.npz --count 500 --sheets 200
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
from PIL import Image

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

from bench.photolike import VARIANTS, photo_like, sheet_like  # noqa: E402
from digitnet.data.formats import read_idx_images, read_idx_labels  # noqa: E402
from digitnet.data.prepare import normalize  # noqa: E402
from digitnet.model import load_model  # noqa: E402
from digitnet.preprocess import ImageError, naive_resize, preprocess_file, preprocess_image  # noqa: E402
from digitnet.segment import segment_image  # noqa: E402

# Example images for custom_digits/: (test image index, how to save it).
EXAMPLES = [(61, "jpeg"), (1, "jpeg"), (18, "jpeg"), (4, "jpeg"), (8, "png-transparent"), (11, "jpeg-dark-paper")]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    default_data = os.environ.get("DIGITNET_MNIST_DIR", str(REPO.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--data-dir", type=Path, default=Path(default_data), help="folder with the MNIST test files")
    parser.add_argument(
        "--weights",
        type=Path,
        nargs="+",
        default=[REPO / "results" / "models" / "mnist" / "mlp128" / "weights.npz"],
        help="trained networks (from the workflow), compared side by side",
    )
    parser.add_argument("--count", type=int, default=500, help="test digits per photo-like variant (default: %(default)s)")
    parser.add_argument("--sheets", type=int, default=200, help="sheets of 3-8 digits (default: %(default)s)")
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


def photo_sets(X: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The chosen test digits' indices (count,) and, per photo-like variant, their preprocessed pixels (count, 784).

    A photo the preprocessing refuses counts as a blank image (read wrong, almost surely).
    """
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(X), size=count, replace=False)
    backs = rng.choice(len(X), size=count)  # the digit showing through from the back of the sheet
    prepared = {}
    for variant in VARIANTS:
        rows = []
        for index, back in zip(chosen, backs, strict=True):
            photo = photo_like(X[index], rng, variant=variant, back=X[back])
            try:
                rows.append(preprocess_image(photo).pixels)
            except ImageError:
                rows.append(np.zeros(784, np.float32))
            if variant == "plain":
                prepared.setdefault("naive resize", []).append(naive_resize(photo))
        prepared[variant] = rows
    return chosen, {name: np.asarray(rows, dtype=np.float32) for name, rows in prepared.items()}


def sheet_sets(X: np.ndarray, y: np.ndarray, count: int, seed: int) -> list[tuple[str, Image.Image]]:
    """``count`` sheets of 3-8 random test digits (one row, or two when over 5 digits half the
    time): [(the digits as a string, the sheet's photo)]."""
    rng = np.random.default_rng(seed + 2)
    sheets = []
    for _ in range(count):
        n = int(rng.integers(3, 9))
        chosen = rng.choice(len(X), size=n, replace=False)
        rows = 2 if n > 5 and rng.random() < 0.5 else 1
        sheets.append(("".join(str(int(d)) for d in y[chosen]), sheet_like(X[chosen], rng, rows=rows)))
    return sheets


def sheet_scores(model, sheets: list[tuple[str, Image.Image]]) -> tuple[float, float]:
    """(share of digits read right, share of sheets read right), each sheet segmented with the
    model judging where touching digits part (digitnet.segment), as the workflow reads it; a
    sheet cut into the wrong number of pieces counts no digit right."""
    right_digits = right_sheets = total = 0
    for truth, photo in sheets:
        pieces = segment_image(photo, judge=model.predict_proba).pieces
        pixels = np.asarray([piece.pixels for piece in pieces], dtype=np.float32).reshape(-1, 784)
        read = "".join(str(d) for d in model.predict_proba(pixels).argmax(axis=1)) if len(pixels) else ""
        total += len(truth)
        right_sheets += read == truth
        if len(read) == len(truth):
            right_digits += sum(a == b for a, b in zip(read, truth, strict=True))
    return right_digits / total, right_sheets / len(sheets)


def accuracy_table(models: dict, X: np.ndarray, y: np.ndarray, count: int, sheets: int, seed: int) -> dict:
    """Per model: accuracy on the originals, on every photo-like variant, through the naive resize, and on sheets."""
    chosen, prepared = photo_sets(X, count, seed)
    sheet_set = sheet_sets(X, y, sheets, seed)
    truth = y[chosen]
    table = {}
    for name, model in models.items():
        read = {"original": X[chosen]} | prepared
        row = {key: float((model.predict_proba(images).argmax(axis=1) == truth).mean()) for key, images in read.items()}
        row["sheet digits"], row["whole sheets"] = sheet_scores(model, sheet_set)
        table[name] = row
    return table


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
    models = {model_name(path): load_model(path) for path in args.weights}
    accuracies = accuracy_table(models, X, y, args.count, args.sheets, args.seed)
    timing = time_single_photos(next(iter(models.values())), X, args.timing_photos, args.seed)
    names = list(models)
    rows = [
        f"| test digits ({args.count} per photo-like set, {args.sheets} sheets) | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for key in accuracies[names[0]]:
        label = {"original": "original MNIST", "naive resize": "plain, plain resize + inversion"}.get(key, key)
        if key in VARIANTS:
            label = f"photo-like, {key}"
        rows.append(f"| {label} | " + " | ".join(f"{accuracies[name][key]:.2%}" for name in names) + " |")
    table = "\n".join(
        [
            *rows,
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


def model_name(path: Path) -> str:
    """What the table calls a weights file: its folder for the workflow's results/models/<data>/<name>/weights.npz, else its stem."""
    return path.parent.name if path.stem == "weights" else path.stem


if __name__ == "__main__":
    main()
