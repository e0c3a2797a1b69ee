"""People's own digit images: labels from file names, predictions with their warnings, the summary table."""

import csv
import re
from pathlib import Path

import numpy as np

from digitnet.errors import DataError

# A label at the end of the file name: "seven_7.png", "my-digit-3.jpg", "4.png".
LABEL_IN_NAME = re.compile(r"(?:^|[_\-\s])([0-9])$")


def label_from_name(name: str) -> int | None:
    """The digit a file name ends with (before the extension), after _, - or a space; else None."""
    match = LABEL_IN_NAME.search(Path(name).stem)
    return int(match.group(1)) if match else None


def read_labels_csv(path: Path) -> dict[str, int]:
    """{file name: label} from a CSV with columns ``file`` and ``label``; DataError when malformed."""
    labels: dict[str, int] = {}
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not {"file", "label"} <= set(reader.fieldnames):
            raise DataError(f"{path}: expected columns 'file' and 'label', found {reader.fieldnames}")
        for row_number, row in enumerate(reader, start=2):
            value = (row["label"] or "").strip()
            if value == "":
                continue
            if not (value.isdigit() and len(value) == 1):
                raise DataError(f"{path}: line {row_number}: label {value!r} is not a digit 0-9")
            labels[row["file"].strip()] = int(value)
    return labels


def top_k(P: np.ndarray, k: int = 3) -> list[tuple[int, float]]:
    """The k most probable digits of P : (10,), most probable first, as (digit, probability)."""
    order = np.argsort(-P)[:k]
    return [(int(d), float(P[d])) for d in order]


def prediction_warnings(confidence: float, ink_fraction: float, low_confidence: float, low_ink: float) -> list[str]:
    """Why this answer should not be trusted, in words (empty when nothing looks wrong)."""
    notes = []
    if ink_fraction < low_ink:
        notes.append(
            f"little ink ({ink_fraction:.1%} of the 28 x 28 pixels; MNIST digits have about 5% or more): this may not be a digit"
        )
    if confidence < low_confidence:
        notes.append(f"low confidence ({confidence:.0%}): the network is unsure; this may not be a digit, or an unusual one")
    return notes


SUMMARY_COLUMNS = [
    "file",
    "status",
    "label",
    "predicted",
    "confidence",
    "second",
    "p_second",
    "third",
    "p_third",
    "correct",
    "warnings",
    "error",
]


def summary_row(result: dict) -> dict:
    """One predictions.csv row from an image's prediction.json."""
    row = {column: "" for column in SUMMARY_COLUMNS}
    row.update(file=result["file"], status=result["status"], label="" if result["label"] is None else result["label"])
    if result["status"] == "ok":
        (first, p1), (second, p2), (third, p3) = result["top3"]
        row.update(predicted=first, confidence=f"{p1:.4f}", second=second, p_second=f"{p2:.4f}", third=third, p_third=f"{p3:.4f}")
        if result["label"] is not None:
            row["correct"] = int(first == result["label"])
        row["warnings"] = "; ".join(result["warnings"])
    else:
        row["error"] = result["error"]
    return row
