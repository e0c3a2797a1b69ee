"""Benchmark: fit the temperature that makes the reader's confidence mean what it says, and the
low-confidence threshold that catches most misreads, on held-out digits.

Every set of single digits of scripts/bench/handwriting.py (real photos, load_digits, postal-like,
MNIST as PNG, the photo-like variants) is read the way the workflow reads a custom image, and
each digit's probabilities are kept before calibration (the mean over preparations and shifts:
digitnet.preparations.combine). On the "tune" half of every set:

- the temperature T minimizes the negative log-likelihood of the right digit under
  softmax(log P / T) (temperature scaling: the answers never change, only how sure they are),
  with three families weighted alike: real handwriting (real photos, load_digits), scans
  (postal-like, MNIST as PNG) and the generated photo-like variants, each set alike within its
  family, so that no family counts more for having more sets or digits;
- the low-confidence threshold is the lowest of 0.50, 0.55, ..., 0.95 under which at least
  CATCH of the misreads fall (a share per family, averaged over the families).

Both are then reported on the "eval" half of every set beside what the current settings
(config.yaml's temperature and low_confidence) give: accuracy, expected calibration error
(ECE, 10 bins), misreads above the threshold, right answers flagged under it.

    .venv/bin/python scripts/bench/calibrate.py
    .venv/bin/python scripts/bench/calibrate.py --weights results/models/mnist/cnn10c/weights.npz --no-record

The fitted numbers are printed, not written into config.yaml: set custom_digits.temperature and
low_confidence there by hand when they move. The record goes to docs/results/records/.
"""

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

SCRIPTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCRIPTS))

from bench import handwriting, realsets  # noqa: E402
from bench.record import write_record  # noqa: E402
from digitnet.custom import calibration  # noqa: E402
from digitnet.preparations import calibrate  # noqa: E402

TEMPERATURES = np.round(np.arange(0.2, 2.0001, 0.05), 2)  # the grid T is chosen from
THRESHOLDS = np.round(np.arange(0.5, 0.9501, 0.05), 2)  # the grid low_confidence is chosen from
CATCH = 2 / 3  # share of the tune halves' misreads the threshold must catch: the bar of at most a third above it
FAMILIES = {
    "real photos": "real handwriting",
    "real photos at 28 x 28": "real handwriting",
    "real photos at 64-400 px": "real handwriting",
    "load_digits": "real handwriting",
    "postal-like": "scans",
    "MNIST as PNG": "scans",
}


def family(name: str) -> str:
    """The family of a set: real handwriting, scans, or generated photos (every photo-like variant)."""
    return FAMILIES.get(name, "generated photos")


def parse_args() -> argparse.Namespace:
    """handwriting.py's set arguments (its --temperature and --low-confidence: the current ones,
    config.yaml's, reported beside the fitted), and the one network to calibrate."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    handwriting.set_arguments(parser)
    parser.add_argument("--weights", type=Path, default=handwriting.DEFAULT_WEIGHTS)
    return parser.parse_args()


def read_sets(singles: dict[str, list[realsets.Sample]], weights: Path, workers: int) -> dict[str, dict]:
    """Per set: each sample's half, label (int), probabilities before calibration P (n, 10) where
    one digit was read (else a row of zeros), and, by sample index, the pieces' probabilities (k, 10)
    of the images read as several digits (a misread, as sure as its least sure digit). An image
    refused has neither: a misread at confidence 0."""
    read = {}
    with tempfile.TemporaryDirectory() as scratch:
        for n, (name, samples) in enumerate(singles.items()):
            files = handwriting.save_all(samples, Path(scratch) / str(n))
            rows = handwriting.read_files(files, "auto", weights, workers)
            read[name] = {
                "half": np.array([s.half for s in samples]),
                "label": np.array([int(s.label) for s in samples]),
                "P": np.array([r[3][0] if r[2] == "single" else [0.0] * 10 for r in rows], np.float32),
                "pieces": {i: np.array(r[3], np.float32) for i, r in enumerate(rows) if r[2] == "sheet"},
            }
            print(f"read {name}: {len(samples)} images", flush=True)
    return read


def answers(r: dict, half: str, temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """(right (n,) bool, confidence (n,)) of set ``r``'s samples on ``half``, as the workflow
    would answer them with ``temperature``: a single digit's calibrated top probability; several
    digits, never right, as sure as the least sure; nothing found, never right, at 0."""
    chosen = np.flatnonzero(r["half"] == half)
    P = r["P"][chosen]
    single = P.sum(axis=1) > 0
    sure = np.zeros_like(P)
    if single.any():
        sure[single] = calibrate(P[single], temperature)
    right, confidence = single & (sure.argmax(axis=1) == r["label"][chosen]), sure.max(axis=1)
    for k, index in enumerate(chosen):
        if index in r["pieces"]:
            confidence[k] = calibrate(r["pieces"][index], temperature).max(axis=1).min()
    return right, confidence


def weights_by_family(read: dict[str, dict]) -> dict[str, float]:
    """Each set's weight: 1 / (families x sets in its family), so that families count alike."""
    families = {family(name) for name in read}
    return {name: 1 / (len(families) * sum(family(other) == family(name) for other in read)) for name in read}


def fit_temperature(read: dict[str, dict], half: str = "tune") -> tuple[float, dict[float, float]]:
    """The temperature of TEMPERATURES with the lowest weighted mean negative log-likelihood of
    the right digit on ``half`` (weights_by_family), and that loss at every temperature."""
    weight = weights_by_family(read)
    loss = {}
    for T in TEMPERATURES:
        total = 0.0
        for name, r in read.items():
            chosen = (r["half"] == half) & (r["P"].sum(axis=1) > 0)  # a refused image has no probabilities to fit
            sure = calibrate(r["P"][chosen], float(T))
            total += weight[name] * float(-np.log(np.maximum(sure[np.arange(chosen.sum()), r["label"][chosen]], 1e-9)).mean())
        loss[float(T)] = total
    return min(loss, key=loss.get), loss


def caught(read: dict[str, dict], temperature: float, threshold: float, half: str) -> tuple[float, float]:
    """(share of misreads with confidence at most ``threshold``, share of right answers under it)
    on ``half``: per family, then the mean over the families that have misreads (or right answers)."""
    by_family = {}
    for name, r in read.items():
        right, confidence = answers(r, half, temperature)
        low = confidence <= threshold
        counts = by_family.setdefault(family(name), np.zeros(4))
        counts += [(~right & low).sum(), (~right).sum(), (right & low).sum(), right.sum()]
    misreads = [c[0] / c[1] for c in by_family.values() if c[1]]
    flagged = [c[2] / c[3] for c in by_family.values() if c[3]]
    return float(np.mean(misreads)), float(np.mean(flagged))


def choose_threshold(read: dict[str, dict], temperature: float) -> float:
    """The lowest of THRESHOLDS that catches at least CATCH of the tune halves' misreads."""
    for threshold in THRESHOLDS:
        if caught(read, temperature, float(threshold), "tune")[0] >= CATCH:
            return float(threshold)
    return float(THRESHOLDS[-1])


def scores(read: dict[str, dict], temperature: float, threshold: float, half: str) -> dict[str, dict]:
    """Per set on ``half``: accuracy, calibration (digitnet.custom.calibration) and right answers flagged."""
    out = {}
    for name, r in read.items():
        right, confidence = answers(r, half, temperature)
        out[name] = {
            "accuracy": float(right.mean()),
            **calibration(confidence, right, threshold),
            "right_flagged": int((right & (confidence <= threshold)).sum()),
        }
    return out


def table(figures: dict) -> str:
    """The eval halves as a Markdown table: before (no calibration, 0.6) and current and fitted settings."""
    settings = figures["settings"]
    columns = [key for key in ("uncalibrated", "current", "fitted") if key in figures["eval"]]
    heads = [f"{key}: T {settings[key]['temperature']}, low {settings[key]['low_confidence']}" for key in columns]
    tune = figures["tune_caught"]
    lines = [
        f"Fitted on the tune halves: temperature {settings['fitted']['temperature']}, low_confidence "
        f"{settings['fitted']['low_confidence']}, the lowest under which at least {CATCH:.0%} of their misreads fall "
        f"(there: {tune['misreads']:.0%} of misreads caught, {tune['right']:.1%} of right answers flagged). "
        "Eval halves: ECE, misreads above the threshold / misreads, right answers flagged",
        "",
        "| set | accuracy | " + " | ".join(heads) + " |",
        "|---|---:|" + "---:|" * len(columns),
    ]
    for name in figures["eval"][columns[0]]:
        cells = [f"{figures['eval'][c][name]['ece']:.3f}, {figures['eval'][c][name]['misreads_above_low']}/"
                 f"{figures['eval'][c][name]['misreads']}, {figures['eval'][c][name]['right_flagged']}" for c in columns]
        lines.append(f"| {name} | {figures['eval'][columns[0]][name]['accuracy']:.2%} | " + " | ".join(cells) + " |")
    shares = [f"{figures['caught'][c]['misreads']:.0%} caught, {figures['caught'][c]['right']:.1%} flagged" for c in columns]
    lines.append("| mean over the families: misreads caught, right answers flagged | | " + " | ".join(shares) + " |")
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    X, y = handwriting.load_test(args.data_dir)
    read = read_sets(handwriting.single_sets(X, y, args.real_dir, args.mnist, args.count, args.seed), args.weights, args.workers)
    temperature, loss = fit_temperature(read)
    settings = {
        "uncalibrated": {"temperature": 1.0, "low_confidence": 0.6},
        "current": {"temperature": args.temperature, "low_confidence": args.low_confidence},
        "fitted": {"temperature": temperature, "low_confidence": choose_threshold(read, temperature)},
    }
    figures = {"settings": settings, "weights": str(args.weights), "loss": loss, "tune": {}, "eval": {}, "caught": {}}
    misreads, right = caught(read, temperature, settings["fitted"]["low_confidence"], "tune")
    figures["tune_caught"] = {"misreads": misreads, "right": right}
    for key, chosen in settings.items():
        for half in realsets.HALVES:
            figures[half][key] = scores(read, chosen["temperature"], chosen["low_confidence"], half)
        misreads, right = caught(read, chosen["temperature"], chosen["low_confidence"], "eval")
        figures["caught"][key] = {"misreads": misreads, "right": right}
    tables = table(figures)
    print(tables)
    fitted = figures["eval"]["fitted"]
    headline = {
        "temperature": f"{temperature:g}",
        "low_confidence": f"{settings['fitted']['low_confidence']:g}",
        "ECE, load_digits": f"{fitted['load_digits']['ece']:.3f}",
        "misreads caught": f"{figures['caught']['fitted']['misreads']:.0%}",
        "right flagged": f"{figures['caught']['fitted']['right']:.1%}",
    }
    if not args.no_record:
        print(f"\nrecord: {write_record('calibration', figures, tables, headline)}")


if __name__ == "__main__":
    main()
