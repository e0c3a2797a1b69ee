"""Benchmark: how well the reader reads handwriting of every kind, and how far its confidence can be trusted.

Every image is written to a file and read the way the workflow reads a custom image
(digitnet.reading.read_image, mode "auto" for single digits, "sheet" and "auto" for sheets),
by each trained network given. Sources (scripts/bench/realsets.py; each set of single
digits is split into a "tune" half, on which the reader's rules were chosen, and an "eval"
half, reported here):

- real photos: the licensed single digits of shared/data/real_digits_dev (licences in its README);
  the same photos shrunk to 28 x 28 and saved as JPEG ("real photos at 28 x 28"), and shrunk to
  crops of 64 to 400 px, their aspect kept ("real photos at 64-400 px");
- load_digits: scikit-learn's bundled real handwriting, 8 x 8, both polarities;
- postal-like: MNIST test digits stretched to fill a 16 x 16 frame, white on black;
- MNIST as PNG: MNIST test digits as 28 x 28 PNG, both polarities;
- photo-like: MNIST test digits as phone photos, in every variant of paper and pen (bench/photolike.py);
- sheets: 3-8 MNIST test digits per page, level, or turned up to 8 degrees and in perspective (on
  plain paper, or on ruled and squared paper);
  two-digit numbers read in mode "auto" (which must not take them for one digit);
  and the 8 real sheets of real_digits_dev (all reported: too few to split), as they are and turned
  3 to 8 degrees either way, whole, on a dark desk that shows between the page's corners.

Sheets are scored by aligning the digits read with the label (edit distance): digits right,
misread, missed and added, and whole sheets. Confidence: expected calibration error (ECE,
10 bins) and the share of misreads whose confidence is above ``--low-confidence``, with
confidences calibrated by ``--temperature`` (both as config.yaml sets them, by default).

    .venv/bin/python scripts/bench/handwriting.py --weights results/models/mnist/cnn16-aug3/weights.npz
    .venv/bin/python scripts/bench/handwriting.py --weights a.npz b.npz --count 200 --sheets 100
    .venv/bin/python scripts/bench/handwriting.py --examples custom_digits   # write example images

Nothing generated is committed as data: the sets are rebuilt from the seed on every run. The
figures go to a record in docs/results/records/ (bench/record.py) and are printed as tables.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

SCRIPTS = Path(__file__).resolve().parents[1]
REPO = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

from bench import realsets  # noqa: E402
from bench.photolike import VARIANTS, photo_like, sheet_like  # noqa: E402
from bench.record import write_record  # noqa: E402
from digitnet.custom import alignment, calibration  # noqa: E402
from digitnet.data.formats import read_idx_images, read_idx_labels  # noqa: E402
from digitnet.data.prepare import normalize  # noqa: E402

# Example images for custom_digits/: (test image index, how to save it).
EXAMPLES = [(61, "jpeg"), (1, "jpeg"), (18, "jpeg"), (4, "jpeg"), (8, "png-transparent"), (11, "jpeg-dark-paper")]


def reading_settings(config: Path = REPO / "config.yaml") -> dict:
    """The custom_digits settings of the workflow's config.yaml: the benchmark reads as the workflow does."""
    return yaml.safe_load(config.read_text())["custom_digits"]


DEFAULT_WEIGHTS = REPO / "results" / "models" / "mnist" / "cnn16-aug3" / "weights.npz"


def set_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments that make the sets of single digits and read them as the workflow does,
    shared with bench/calibrate.py: data, set sizes, reading settings, workers, seed, record."""
    shared = REPO.parent / "shared" / "data"
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("DIGITNET_MNIST_DIR", shared / "mnist")))
    parser.add_argument("--real-dir", type=Path, default=shared / "real_digits_dev", help="the real development set")
    parser.add_argument("--count", type=int, default=300, help="digits per photo-like variant (default: %(default)s)")
    parser.add_argument("--mnist", type=int, default=2000, help="MNIST test digits as PNG, and postal-like (default: %(default)s)")
    reading = reading_settings()
    parser.add_argument(
        "--low-confidence", type=float, default=reading["low_confidence"], help="default: config.yaml's, %(default)s"
    )
    parser.add_argument("--temperature", type=float, default=reading["temperature"], help="default: config.yaml's, %(default)s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-record", action="store_true", help="print only; write no record")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    set_arguments(parser)
    parser.add_argument("--weights", type=Path, nargs="+", default=[DEFAULT_WEIGHTS])
    parser.add_argument("--sheets", type=int, default=200, help="generated sheets, level and turned each (default: %(default)s)")
    parser.add_argument("--timing-photos", type=int, default=30, help="1000 x 1000 photos timed one by one (0: none)")
    parser.add_argument("--figures", type=Path, help="also write every figure (both halves) to this JSON file")
    parser.add_argument("--examples", type=Path, help="write a few example photos into this folder and stop")
    return parser.parse_args()


def load_test(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    return normalize(read_idx_images(data_dir / "t10k-images-idx3-ubyte.gz")), read_idx_labels(data_dir / "t10k-labels-idx1-ubyte.gz")


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


# --- reading files the workflow's way, on several processes --------------------------------------

_model = None


def _load(weights: str) -> None:
    global _model
    from digitnet.model import load_model

    _model = load_model(Path(weights))


def _read(job: tuple[str, str, float]) -> tuple[str, list[float], str, list[list[float]]]:
    """(digits read, each digit's confidence, kind, each digit's probabilities before calibration)
    of one file: job = (path, mode, temperature), read as the workflow reads it."""
    from digitnet.preparations import calibrate
    from digitnet.reading import read_image

    path, mode, temperature = job
    reading = read_image(Path(path), mode, 40.0, judge=_model.predict_proba)
    if reading.kind == "error":
        return "", [], "error", []
    P = reading.answers(_model.predict_proba)  # (k, 10)
    sure = calibrate(P, temperature)
    return "".join(str(d) for d in sure.argmax(axis=1)), sure.max(axis=1).tolist(), reading.kind, P.tolist()


def read_files(paths: list[Path], mode: str, weights: Path, workers: int, temperature: float = 1.0) -> list[tuple]:
    """_read, with the network of ``weights``, on every file, in order, on ``workers`` processes."""
    jobs = [(str(path), mode, temperature) for path in paths]
    if workers <= 1:
        _load(str(weights))
        return [_read(job) for job in jobs]
    with ProcessPoolExecutor(workers, initializer=_load, initargs=(str(weights),)) as pool:
        return list(pool.map(_read, jobs, chunksize=8))


# --- scores -----------------------------------------------------------------------------------


def single_scores(samples: list[realsets.Sample], read: list[tuple], low: float) -> dict:
    """Per half: images, accuracy, refused (no digit found), read as several digits, calibration."""
    scores = {}
    for half in realsets.HALVES:
        chosen = [(s, r) for s, r in zip(samples, read, strict=True) if s.half == half]
        if not chosen:
            continue
        right = np.array([r[0] == s.label for s, r in chosen])
        confidence = np.array([min(r[1]) if r[1] else 0.0 for _, r in chosen])
        scores[half] = {
            "images": len(chosen),
            "accuracy": float(right.mean()),
            "refused": sum(r[2] == "error" for _, r in chosen),
            "as_sheets": sum(r[2] == "sheet" for _, r in chosen),
            **calibration(confidence, right, low),
        }
    return scores


def sheet_scores(truths: list[str], read: list[tuple]) -> dict:
    """Digits right, misread, missed and added (alignment), and whole sheets, over a set of sheets."""
    total = {"right": 0, "misread": 0, "missed": 0, "added": 0}
    for truth, (answer, *_) in zip(truths, read, strict=True):
        for key, value in alignment(answer, truth).items():
            total[key] += value
    digits = sum(len(t) for t in truths)
    return {
        "sheets": len(truths),
        "digits": digits,
        **total,
        "digit_accuracy": total["right"] / digits,
        "whole": sum(answer == truth for truth, (answer, *_) in zip(truths, read, strict=True)) / len(truths),
        "read": [answer for answer, *_ in read],
    }


# --- the sets ---------------------------------------------------------------------------------


def save_all(samples: list[realsets.Sample], folder: Path) -> list[Path]:
    """Each sample's file: its own, or its image written losslessly as PNG into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, sample in enumerate(samples):
        if sample.path is not None:
            paths.append(sample.path)
            continue
        path = folder / f"{k:05d}.png"
        sample.image.save(path)
        paths.append(path)
    return paths


def photo_samples(X: np.ndarray, y: np.ndarray, count: int, seed: int) -> dict[str, list[realsets.Sample]]:
    """Per photo-like variant, ``count`` test digits as photos (the same digits in every variant)."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(X), size=count, replace=False)
    backs = rng.choice(len(X), size=count)  # the digit showing through from the back of the sheet
    return {
        variant: [
            realsets.Sample(f"{variant}-{i}", str(int(y[i])), realsets.half_of(k, seed), photo_like(X[i], rng, variant=variant, back=X[b]))
            for k, (i, b) in enumerate(zip(chosen, backs, strict=True))
        ]
        for variant in VARIANTS
    }


def single_sets(X: np.ndarray, y: np.ndarray, real_dir: Path, mnist: int, count: int, seed: int) -> dict[str, list[realsets.Sample]]:
    """Every set of single digits, by name: real photos (as taken, at 28 x 28 and at 64-400 px), load_digits, postal-like and MNIST as PNG
    (``mnist`` digits each), and ``count`` digits per photo-like variant."""
    real = realsets.real_dev(real_dir)[0]
    return {
        "real photos": real,
        "real photos at 28 x 28": realsets.reduced(real),
        "real photos at 64-400 px": realsets.shrunk(real),
        "load_digits": realsets.sklearn_digits(),
        "postal-like": realsets.postal_like(X, y, mnist),
        "MNIST as PNG": realsets.mnist_png(X, y, mnist),
    } | {f"photo-like, {variant}": samples for variant, samples in photo_samples(X, y, count, seed).items()}


def generated_sheets(
    X: np.ndarray,
    y: np.ndarray,
    count: int,
    seed: int,
    slope: float,
    perspective: float,
    digits: tuple[int, int] = (3, 8),
    papers: tuple[str, ...] = ("plain",),
) -> list[realsets.Sample]:
    """``count`` sheets of ``digits`` (fewest, most) test digits (two rows half the time from 6
    digits), photographed turned by up to ``slope`` degrees and in ``perspective``, on each of
    ``papers`` in turn (sheet_like's variants: "plain", "ruled", "squared")."""
    rng = np.random.default_rng(seed)
    sheets = []
    for k in range(count):
        n = int(rng.integers(digits[0], digits[1] + 1))
        chosen = rng.choice(len(X), size=n, replace=False)
        rows = 2 if n > 5 and rng.random() < 0.5 else 1
        paper = papers[k % len(papers)]
        image = sheet_like(X[chosen], rng, rows=rows, variant=paper, slope=slope, perspective=perspective)
        sheets.append(realsets.Sample(f"sheet-{k}", "".join(str(int(d)) for d in y[chosen]), "eval", image))
    return sheets


def time_single_photos(weights: Path, X: np.ndarray, count: int, seed: int, folder: Path) -> dict:
    """Median milliseconds to read and predict one 1000 x 1000 JPEG photo from disk, as the workflow does."""
    rng = np.random.default_rng(seed + 1)
    paths = []
    for k in range(count):
        path = folder / f"timing-{k}.jpg"
        photo_like(X[k], rng, canvas=1000).save(path, quality=90)
        paths.append(path)
    _load(str(weights))
    _read((str(paths[0]), "auto", 1.0))  # warm-up: first calls load code paths and caches
    times = []
    for path in paths:
        started = time.perf_counter()
        _read((str(path), "auto", 1.0))
        times.append(1000 * (time.perf_counter() - started))
    return {"photos": count, "size": "1000 x 1000 JPEG", "median_ms": statistics.median(times), "max_ms": max(times)}


def originals_accuracy(weights: Path, X: np.ndarray, y: np.ndarray, samples: list[realsets.Sample]) -> float:
    """The network's accuracy on the MNIST arrays that the eval half of the photo-like ``samples``
    were made from (each sample is named "<variant>-<index>"): what every variant is held to."""
    from digitnet.model import load_model

    index = np.array([int(sample.name.rsplit("-", 1)[1]) for sample in samples if sample.half == "eval"])
    return float((load_model(weights).predict_proba(X[index]).argmax(axis=1) == y[index]).mean())


def model_name(path: Path) -> str:
    """What the tables call a weights file: its folder for the workflow's results/models/<data>/<name>/weights.npz, else its stem."""
    return path.parent.name if path.stem == "weights" else path.stem


def table(figures: dict, args: argparse.Namespace) -> str:
    """The figures as Markdown tables, one column per model."""
    names = list(figures["models"])
    first = figures["models"][names[0]]
    head = "| " + " | ".join(names) + " |"
    rule = "|---|" + "---:|" * len(names)
    lines = [f"Single digits, eval half: accuracy (refused), ECE, misreads above {args.low_confidence} / misreads", "", "| set " + head, rule]
    for key in first["singles"]:
        cells = []
        for name in names:
            s = figures["models"][name]["singles"][key].get("eval")
            cells.append(f"{s['accuracy']:.2%} ({s['refused']}), ECE {s['ece']:.3f}, {s['misreads_above_low']}/{s['misreads']}" if s else "-")
        lines.append(f"| {key} ({first['singles'][key]['eval']['images']}) | " + " | ".join(cells) + " |")
    lines.append("| photo-like digits' MNIST originals | " + " | ".join(f"{figures['models'][name]['photo_like_originals']:.2%}" for name in names) + " |")
    lines += ["", "Sheets: digits right by alignment (misread / missed / added), whole sheets", "", "| sheets " + head, rule]
    for key in first["sheets"]:
        cells = [
            f"{s['digit_accuracy']:.2%} ({s['misread']}/{s['missed']}/{s['added']}), {s['whole']:.1%} whole"
            for s in (figures["models"][name]["sheets"][key] for name in names)
        ]
        lines.append(f"| {key} ({first['sheets'][key]['sheets']}) | " + " | ".join(cells) + " |")
    timing = figures.get("timing")
    lines += [] if timing is None else ["", f"Reading one {timing['size']} photo from disk: median {timing['median_ms']:.1f} ms (max {timing['max_ms']:.1f} ms) over {timing['photos']} photos."]
    return "\n".join(lines)


def headline(figures: dict) -> dict[str, str]:
    """The first model's key figures, formatted, for the results page's history and the README."""
    name = next(iter(figures["models"]))
    row = figures["models"][name]
    real = row["singles"]["real photos"]["eval"]
    sheets = row["sheets"]["real, mode sheet"]
    turned = row["sheets"]["turned up to 8 degrees, in perspective"]
    desk = row["sheets"].get("real, turned 3-8 degrees on a dark desk")  # absent from records before it was measured
    photo_like = [v["eval"]["accuracy"] for k, v in row["singles"].items() if k.startswith("photo-like")]
    return {
        "model": name,
        "real photos": f"{real['accuracy']:.1%} of {real['images']}",
        "real photos at 28 x 28": f"{row['singles']['real photos at 28 x 28']['eval']['accuracy']:.1%}",
        "real photos at 64-400 px": f"{row['singles']['real photos at 64-400 px']['eval']['accuracy']:.1%}",
        "load_digits": f"{row['singles']['load_digits']['eval']['accuracy']:.1%}",
        "postal-like": f"{row['singles']['postal-like']['eval']['accuracy']:.1%}",
        "MNIST as PNG": f"{row['singles']['MNIST as PNG']['eval']['accuracy']:.1%}",
        "photo-like, lowest variant": f"{min(photo_like):.1%} (originals {row['photo_like_originals']:.1%})",
        "real sheets whole": f"{round(sheets['whole'] * sheets['sheets'])} of {sheets['sheets']}",
        "real sheet digits": f"{sheets['digit_accuracy']:.1%}",
        "real sheets turned on a desk: digits, whole": "{:.1%}, {:.1%}".format(desk["digit_accuracy"], desk["whole"]) if desk else "",
        "turned sheets whole": f"{turned['whole']:.1%}",
        "sheets on ruled or squared paper whole": f"{row['sheets']['ruled or squared paper, turned up to 8 degrees']['whole']:.1%}",
        "two digits in mode auto, whole": f"{row['sheets']['two digits, mode auto']['whole']:.1%}",
        "ECE, real photos": f"{real['ece']:.3f}",
        "ECE, load_digits": f"{row['singles']['load_digits']['eval']['ece']:.3f}",
    }


def main() -> None:
    args = parse_args()
    X, y = load_test(args.data_dir)
    if args.examples:
        write_examples(args.examples, X, y, args.seed)
        return
    singles = single_sets(X, y, args.real_dir, args.mnist, args.count, args.seed)
    _, real_sheets = realsets.real_dev(args.real_dir)
    sheets = {
        "level": generated_sheets(X, y, args.sheets, args.seed + 2, 0.0, 0.0),
        "turned up to 8 degrees, in perspective": generated_sheets(X, y, args.sheets, args.seed + 3, 8.0, 0.04),
        # A worksheet: the paper's printed lines go, the digits and their strokes across them stay.
        "ruled or squared paper, turned up to 8 degrees": generated_sheets(
            X, y, args.sheets, args.seed + 5, 8.0, 0.04, papers=("ruled", "squared")
        ),
        # Mode "auto" must tell two digits from one digit in two strokes (reading.surer_as_sheet).
        "two digits, mode auto": generated_sheets(X, y, args.sheets, args.seed + 4, 0.0, 0.0, digits=(2, 2)),
        # The real sheets again, each turned 3 to 8 degrees either way on a dark desk (page.find_page).
        "real, turned 3-8 degrees on a dark desk": realsets.turned_on_desk(real_sheets),
    }
    figures = {"settings": {k: v for k, v in vars(args).items() if k in ("count", "mnist", "sheets", "low_confidence", "temperature", "seed")}, "models": {}}
    with tempfile.TemporaryDirectory() as scratch:
        files = {key: save_all(samples, Path(scratch) / f"single-{n}") for n, (key, samples) in enumerate(singles.items())}
        sheet_files = {key: save_all(samples, Path(scratch) / f"sheet-{n}") for n, (key, samples) in enumerate(sheets.items())}
        for weights in args.weights:
            started = time.perf_counter()
            row = {"singles": {}, "sheets": {}}
            for key, samples in singles.items():
                row["singles"][key] = single_scores(samples, read_files(files[key], "auto", weights, args.workers, args.temperature), args.low_confidence)
            for key, samples in sheets.items():
                mode = "auto" if key.endswith("mode auto") else "sheet"
                read = read_files(sheet_files[key], mode, weights, args.workers, args.temperature)
                row["sheets"][key] = sheet_scores([s.label for s in samples], read)
            for mode in ("sheet", "auto"):
                read = read_files([s.path for s in real_sheets], mode, weights, args.workers, args.temperature)
                row["sheets"][f"real, mode {mode}"] = sheet_scores([s.label for s in real_sheets], read)
            row["photo_like_originals"] = originals_accuracy(weights, X, y, singles["photo-like, plain"])
            row["seconds"] = time.perf_counter() - started
            figures["models"][model_name(weights)] = row
        if args.timing_photos:
            figures["timing"] = time_single_photos(args.weights[0], X, args.timing_photos, args.seed, Path(scratch))
    tables = table(figures, args)
    print(tables)
    if args.figures:
        args.figures.write_text(json.dumps(figures, indent=1))
    if not args.no_record:
        print(f"\nrecord: {write_record('handwriting', figures, tables, headline(figures))}")


if __name__ == "__main__":
    main()
