"""Benchmark: teaching the reading network a person's handwriting (custom_digits.finetune): what it
gains on digits it did not learn from, and what it forgets of MNIST.

- load_digits (scikit-learn's bundled real handwriting, 8 x 8) as one class's scans: tuned on 500
  of its digits, read on the other 1,297, before and after; MNIST's test accuracy before and after.
- the real photos of shared/data/real_digits_dev, one sub-folder per source: within-source k-fold
  and leave-one-source-out (digitnet.finetune.cross_validate), before and after.

Every digit is prepared as the workflow prepares it (digitnet.reading.read_image) and read as it
reads it (every preparation, shifted a pixel each way). The time of the rule itself, on a class's
photos, is measured by scripts/bench/throughput.py --finetune.

    .venv/bin/python scripts/bench/finetune.py --weights results/models/mnist/cnn16-aug3/weights.npz
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SCRIPTS = Path(__file__).resolve().parents[1]
REPO = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

from bench import realsets  # noqa: E402
from bench.record import write_record  # noqa: E402
from digitnet.data.formats import read_idx_images, read_idx_labels  # noqa: E402
from digitnet.data.prepare import normalize  # noqa: E402
from digitnet.finetune import FinetuneSettings, Labelled, cross_validate, image_probabilities, summary, tune  # noqa: E402
from digitnet.model import load_model  # noqa: E402
from digitnet.reading import read_image  # noqa: E402


def prepared(samples: list[realsets.Sample], folder: Path, writers: list[str]) -> Labelled:
    """The samples read as the workflow reads single digits, as labelled digits."""
    pixels, label, image = [], [], []
    for k, sample in enumerate(samples):
        path = sample.path
        if path is None:
            path = folder / f"{k}.png"
            sample.image.save(path)
        reading = read_image(path, "single", 40.0)
        pixels.append(reading.pixels)
        label += [int(sample.label)] * len(reading.pixels)
        image += [k] * len(reading.pixels)
    return Labelled(np.concatenate(pixels), np.array(label), np.array(image), [s.name for s in samples], writers, [int(s.label) for s in samples])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    shared = REPO.parent / "shared" / "data"
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("DIGITNET_MNIST_DIR", shared / "mnist")))
    parser.add_argument("--real-dir", type=Path, default=shared / "real_digits_dev")
    parser.add_argument("--weights", type=Path, default=REPO / "results" / "models" / "mnist" / "cnn16-aug3" / "weights.npz")
    parser.add_argument("--learn", type=int, default=500, help="load_digits images tuned on (the rest are read)")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    settings = FinetuneSettings()
    X = normalize(read_idx_images(args.data_dir / "train-images-idx3-ubyte.gz"))
    y = read_idx_labels(args.data_dir / "train-labels-idx1-ubyte.gz")
    X_test = normalize(read_idx_images(args.data_dir / "t10k-images-idx3-ubyte.gz"))
    y_test = read_idx_labels(args.data_dir / "t10k-labels-idx1-ubyte.gz")
    base = load_model(args.weights)
    figures = {"settings": vars(settings)}
    with tempfile.TemporaryDirectory() as scratch:
        # load_digits as one class: tuned on a fixed random 500, read on the others.
        samples = realsets.sklearn_digits()
        order = np.random.default_rng(0).permutation(len(samples))
        learn, read = order[: args.learn], order[args.learn :]
        digits = prepared(samples, Path(scratch), [""] * len(samples))
        rows = np.isin(digits.image, learn)
        tuned = load_model(args.weights)
        started = time.perf_counter()
        tune(tuned, digits.pixels[rows], digits.label[rows], X, y, settings, np.random.default_rng(settings.seed))
        seconds = time.perf_counter() - started
        truth = np.array(digits.digits)[read]
        before = (image_probabilities(base, digits, read).argmax(axis=1) != truth).mean()
        after = (image_probabilities(tuned, digits, read).argmax(axis=1) != truth).mean()
        mnist = [float((m.predict_proba(X_test).argmax(axis=1) == y_test).mean()) for m in (base, tuned)]
        figures["load_digits"] = {"learned": len(learn), "read": len(read), "misread_before": float(before), "misread_after": float(after), "mnist_before": mnist[0], "mnist_after": mnist[1], "tune_seconds": seconds}
        # The real photos, one writer per source.
        singles, _ = realsets.real_dev(args.real_dir)
        real = prepared(singles, Path(scratch), [s.name.split("_")[0] for s in singles])
        figures["real"] = {k: {key: v[key] for key in ("images", "before", "after", "writers")} for k, v in summary(real, cross_validate(base, real, X, y, settings)).items() if k != "doubted"}
    lines = [
        "| set | digits learned / read | misread before | misread after | MNIST test before | after |",
        "|---|---:|---:|---:|---:|---:|",
        f"| load_digits | {len(learn)} / {len(read)} | {before:.2%} | {after:.2%} | {mnist[0]:.2%} | {mnist[1]:.2%} |",
        "",
        "| real photos, cross-validated | digits | right before | right after |",
        "|---|---:|---:|---:|",
    ]
    for scheme, row in figures["real"].items():
        name = {"within": "within each source (5 folds)", "new_writer": "leave one source out"}[scheme]
        lines.append(f"| {name} | {row['images']} | {row['before']} | {row['after']} |")
    lines += ["", f"Tuning on {len(learn)} load_digits digits (every preparation) with MNIST replayed: {seconds:.1f} s."]
    tables = "\n".join(lines)
    print(tables)
    headline = {
        "load_digits misread": f"{before:.1%} -> {after:.1%}",
        "MNIST test": f"{mnist[0]:.2%} -> {mnist[1]:.2%}",
        "real photos, within source": f"{figures['real']['within']['before']} -> {figures['real']['within']['after']} of {figures['real']['within']['images']}",
        "real photos, new source": f"{figures['real']['new_writer']['before']} -> {figures['real']['new_writer']['after']} of {figures['real']['new_writer']['images']}",
    }
    if not args.no_record:
        print(f"record: {write_record('finetune', figures, tables, headline)}")


if __name__ == "__main__":
    main()
