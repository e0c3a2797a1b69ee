"""Teach the reading network a person's handwriting: fine-tune it on their labelled digits, and
measure honestly what it gained and what it forgot.

Fine-tuning continues training a trained network on new examples, with a small learning rate,
from where it stands. Trained on a few hundred digits of one hand alone it would learn them and
forget MNIST; so every epoch also replays MNIST training digits (``replay``: their share of the
examples). Each preparation of a labelled digit (digitnet.preparations) is one example.

What it gained is measured only on images it did not learn from: the labelled images are split
into folds (within each writer, so each fold holds some of every writer's digits) and each fold
is read by a network tuned on the others, before and after; with several writers (one sub-folder
each), each writer is also read by a network tuned on the others alone (a new hand). An image
without a label is never learned from.

Pixels are float32 (n, 784) in [0, 1], white on black; labels int (n,) 0-9.
"""

import copy
import math
from dataclasses import dataclass

import numpy as np

from digitnet.nn.optimizers import make_optimizer
from digitnet.nn.schedules import make_schedule
from digitnet.preparations import combine, read_rows
from digitnet.train import FitSettings, fit

MIN_LABELLED = 20  # fewer labelled images than this teach nothing that can be measured: nothing is done
FOLDS = 5  # the within-writer split: each image is read once, by a network tuned on the other folds
SURE_MISLABEL = 0.9  # a label is doubted when the network, before and after, reads another digit this surely


@dataclass
class FinetuneSettings:
    """custom_digits.finetune's settings (config.yaml says what each does)."""

    epochs: int = 3
    lr: float = 0.01
    replay: float = 0.5
    layers: str = "all"
    batch_size: int = 64
    seed: int = 0


@dataclass
class Labelled:
    """The labelled digits of a folder: pixels (n, 784), label (n,) and image (n,) per preparation
    row; per image: its file, writer (sub-folder) and label digit."""

    pixels: np.ndarray
    label: np.ndarray
    image: np.ndarray
    files: list[str]
    writers: list[str]
    digits: list[int]


def labelled_digits(readings: list, names: list[str], labels: dict[str, str], writers: list[str]) -> Labelled:
    """Every labelled digit of a folder's readings (digitnet.reading.Reading): a single digit with
    its label, and each digit of a sheet whose cut gave as many digits as its label has."""
    pixels, label, image, files, owners, digits = [], [], [], [], [], []
    for reading, name, writer in zip(readings, names, writers, strict=True):
        text = labels.get(name)
        if text is None or reading.kind == "error" or reading.pieces != len(text):
            continue
        for k, digit in enumerate(text):
            rows = reading.piece == k
            pixels.append(reading.pixels[rows])
            label += [int(digit)] * int(rows.sum())
            image += [len(files)] * int(rows.sum())
            files.append(name if reading.kind == "single" else f"{name} (digit {k + 1})")
            owners.append(writer)
            digits.append(int(digit))
    stacked = np.concatenate(pixels) if pixels else np.zeros((0, 784), np.float32)
    return Labelled(stacked.astype(np.float32), np.array(label, np.int64), np.array(image, np.int64), files, owners, digits)


def tuning(model, X: np.ndarray, y: np.ndarray, replay_X: np.ndarray, replay_y: np.ndarray, settings: FinetuneSettings, rng: np.random.Generator):
    """What fine-tuning ``model`` on X (n, 784), y (n,) trains with: (optimizer, schedule, examples
    X_all, their labels y_all, FitSettings), for digitnet.train.fit.

    replay share r: r / (1 - r) MNIST digits per own example, drawn once from (replay_X, replay_y).
    layers "last": only the last weighted layer learns (its weights and bias), the rest stay.
    SGD with momentum 0.9 and a cosine schedule from ``lr``, weight decay as in training.
    """
    count = int(round(len(X) * settings.replay / max(1e-9, 1 - settings.replay)))
    pick = rng.choice(len(replay_X), size=min(count, len(replay_X)), replace=False)
    X_all = np.concatenate([X, replay_X[pick]]).astype(np.float32)
    y_all = np.concatenate([y, replay_y[pick]])
    params = model.parameters() if settings.layers == "all" else model.parameters()[-2:]
    optimizer = make_optimizer(params, {"optimizer": "sgd", "momentum": 0.9, "nesterov": False})
    steps = math.ceil(len(X_all) / settings.batch_size)
    schedule = make_schedule({"name": "cosine", "warmup_epochs": 0, "min_lr": 0.0}, settings.lr, steps, settings.epochs)
    return optimizer, schedule, X_all, y_all, FitSettings(settings.epochs, settings.batch_size, 3e-4)


def tune(model, X: np.ndarray, y: np.ndarray, replay_X: np.ndarray, replay_y: np.ndarray, settings: FinetuneSettings, rng: np.random.Generator):
    """Fine-tune ``model`` in place (see tuning); return (history, batch losses). The validation
    set is the own examples: a running view of what it learns (the honest measure is cross_validate)."""
    optimizer, schedule, X_all, y_all, fit_settings = tuning(model, X, y, replay_X, replay_y, settings, rng)
    return fit(model, optimizer, schedule, X_all, y_all, X, y, fit_settings, rng)


def image_probabilities(model, digits: Labelled, images: np.ndarray) -> np.ndarray:
    """(len(images), 10): each image's reading, as the workflow reads it (every preparation,
    shifted a pixel each way, averaged: digitnet.preparations)."""
    rows = np.isin(digits.image, images)
    P = read_rows(model.predict_proba, digits.pixels[rows])
    order = {image: k for k, image in enumerate(images)}
    return combine(P, np.array([order[i] for i in digits.image[rows]]), len(images))


def folds_within_writers(writers: list[str], folds: int, rng: np.random.Generator) -> np.ndarray:
    """Fold (n,) of each image: every writer's images dealt round the folds in a random order."""
    fold = np.empty(len(writers), np.int64)
    for writer in sorted(set(writers)):
        mine = np.flatnonzero(np.array(writers) == writer)
        fold[rng.permutation(mine)] = np.arange(len(mine)) % folds
    return fold


def cross_validate(base, digits: Labelled, replay_X: np.ndarray, replay_y: np.ndarray, settings: FinetuneSettings) -> dict:
    """Before and after, on images no tuning saw.

    within: each image read by a network tuned on the other FOLDS - 1 folds of every writer;
    new writer (only with two writers or more): each writer read by a network tuned on the
    others. Returns {"within": {...}, "new_writer": {...} or None}, each with per-image probabilities
    before and after: {"before": (n, 10), "after": (n, 10)}.
    """
    rng = np.random.default_rng(settings.seed)
    n = len(digits.files)
    before = image_probabilities(base, digits, np.arange(n))
    results = {}
    schemes = {"within": folds_within_writers(digits.writers, min(FOLDS, n), rng)}
    writers = sorted(set(digits.writers))
    if len(writers) > 1:
        schemes["new_writer"] = np.array([writers.index(w) for w in digits.writers])
    for scheme, fold in schemes.items():
        after = np.zeros_like(before)
        for k in np.unique(fold):
            held = np.flatnonzero(fold == k)
            rows = ~np.isin(digits.image, held)
            model = copy.deepcopy(base)
            tune(model, digits.pixels[rows], digits.label[rows], replay_X, replay_y, settings, np.random.default_rng([settings.seed, int(k)]))
            after[held] = image_probabilities(model, digits, held)
        results[scheme] = {"before": before, "after": after}
    return results


def summary(digits: Labelled, results: dict) -> dict:
    """The cross-validation in words and numbers: per scheme and writer, images and how many were
    right before and after; the images that flipped either way; and the labels the network doubts."""
    truth = np.array(digits.digits)
    out = {}
    for scheme, probabilities in results.items():
        right_before = probabilities["before"].argmax(axis=1) == truth
        right_after = probabilities["after"].argmax(axis=1) == truth
        per_writer = []
        for writer in sorted(set(digits.writers)):
            mine = np.array(digits.writers) == writer
            per_writer.append(
                {"writer": writer or "(top of the folder)", "images": int(mine.sum()), "before": int(right_before[mine].sum()), "after": int(right_after[mine].sum())}
            )
        flips = [
            {
                "file": digits.files[i],
                "label": int(truth[i]),
                "before": int(probabilities["before"][i].argmax()),
                "after": int(probabilities["after"][i].argmax()),
                "image": int(i),
            }
            for i in np.flatnonzero(right_before != right_after)
        ]
        out[scheme] = {
            "images": len(truth),
            "before": int(right_before.sum()),
            "after": int(right_after.sum()),
            "writers": per_writer,
            "fixed": [f for f in flips if f["after"] == f["label"]],
            "broken": [f for f in flips if f["before"] == f["label"]],
        }
    within = results["within"]
    sure_other = (within["before"].max(axis=1) >= SURE_MISLABEL) & (within["after"].max(axis=1) >= SURE_MISLABEL)
    agree = within["before"].argmax(axis=1) == within["after"].argmax(axis=1)
    doubted = np.flatnonzero(sure_other & agree & (within["after"].argmax(axis=1) != truth))
    out["doubted"] = [
        {"file": digits.files[i], "label": int(truth[i]), "read": int(within["after"][i].argmax()), "confidence": float(within["after"][i].max())}
        for i in doubted
    ]
    return out


def layer_changes(before, after) -> list[dict]:
    """How far each weighted layer moved: {layer, parameters, relative change ||W' - W|| / ||W||}."""
    changes = []
    for old, new in zip(before.parameters(), after.parameters(), strict=True):
        if old.value.ndim < 2:  # biases move with their weights: the weights tell the story
            continue
        norm = float(np.linalg.norm(old.value))
        changes.append(
            {"layer": old.name, "parameters": int(old.value.size), "change": float(np.linalg.norm(new.value - old.value)) / max(norm, 1e-12)}
        )
    return changes
