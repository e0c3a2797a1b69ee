"""People's own digit images: labels, answers and their warnings, how right they are, which need a look.

A label is a string of digits: "7" for one digit, "2026" for a sheet that holds a year.
An answer is the digits read, in reading order, in the same form.
"""

import csv
import re
from pathlib import Path

import numpy as np

from digitnet.errors import DataError
from digitnet.preparations import combine

# A label at the end of the file name: "seven_7.png", "my-digit-3.jpg", "4.png"; for sheets
# a digit string: "2026.jpg", "phone_0612345678.png".
LABEL_IN_NAME = {"single": re.compile(r"(?:^|[_\-\s])([0-9])$"), "sheet": re.compile(r"(?:^|[_\-\s])([0-9]+)$")}


# A sheet of at least NOT_DIGITS_FROM marks, more than NOT_DIGITS of which read with low confidence,
# is most likely not handwritten digits: printed letters read as digits only now and then.
NOT_DIGITS_FROM = 3
NOT_DIGITS = 0.5
LISTED = 10  # a warning names at most this many digits by position


def label_from_name(name: str, mode: str = "single") -> str | None:
    """The digits a file name ends with (before the extension), after _, - or a space; else None.

    mode "single" takes one digit only ("photo_12.jpg" has no label); "sheet" and "auto"
    take the whole digit string.
    """
    pattern = LABEL_IN_NAME["single" if mode == "single" else "sheet"]
    match = pattern.search(Path(name).stem)
    return match.group(1) if match else None


def read_labels_csv(path: Path) -> dict[str, str]:
    """{file name: label} from a CSV with columns ``file`` and ``label``; DataError when malformed.

    ``file`` is the path inside the folder ("anna/3.jpg" for a sub-folder); ``label`` a digit
    string ("7", or "2026" for a sheet). Empty labels are skipped.
    """
    labels: dict[str, str] = {}
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not {"file", "label"} <= set(reader.fieldnames):
            raise DataError(f"{path}: expected columns 'file' and 'label', found {reader.fieldnames}")
        for row_number, row in enumerate(reader, start=2):
            value = (row["label"] or "").strip()
            if value == "":
                continue
            if not value.isdigit():
                raise DataError(f"{path}: line {row_number}: label {value!r} is not a string of digits 0-9")
            labels[row["file"].strip()] = value
    return labels


def group_of(name: str) -> str:
    """The sub-folder an image sits in ("anna" for "anna/3.jpg"; "" at the top of the folder)."""
    parts = Path(name).parts
    return parts[0] if len(parts) > 1 else ""


def top_k(P: np.ndarray, k: int = 3) -> list[tuple[int, float]]:
    """The k most probable digits of P : (10,), most probable first, as (digit, probability)."""
    order = np.argsort(-P)[:k]
    return [(int(d), float(P[d])) for d in order]


def prediction_warnings(confidence: float, ink_fraction: float, low_confidence: float, low_ink: float) -> list[str]:
    """Why this single-digit answer should not be trusted, in words (empty when nothing looks wrong)."""
    notes = []
    if ink_fraction < low_ink:
        notes.append(
            f"little ink ({ink_fraction:.1%} of the 28 x 28 pixels; MNIST digits have about 5% or more): this may not be a digit"
        )
    if confidence < low_confidence:
        notes.append(f"low confidence ({confidence:.0%}): the network is unsure; this may not be a digit, or an unusual one")
    return notes


def sheet_warnings(confidences: np.ndarray, low_confidence: float) -> list[str]:
    """Why a sheet's answer should not be trusted: its digits read with low confidence, by position;
    and when most of its marks (NOT_DIGITS of them, from NOT_DIGITS_FROM marks on) read unsurely, that
    they may not be handwritten digits at all."""
    unsure = [f"{i + 1} ({p:.0%})" for i, p in enumerate(confidences) if p < low_confidence]
    if not unsure:
        return []
    if len(confidences) >= NOT_DIGITS_FROM and len(unsure) > NOT_DIGITS * len(confidences):
        return [
            f"no handwritten digits found: {len(unsure)} of its {len(confidences)} marks do not read as digits "
            "(printed text, a drawing or a texture?)"
        ]
    listed = ", ".join(unsure[:LISTED]) + (f" and {len(unsure) - LISTED} more" if len(unsure) > LISTED else "")
    return [f"low confidence on digit {listed} of {len(confidences)}: the network is unsure there"]


def preparations_read(reading, P: np.ndarray) -> list[dict]:
    """How each preparation of a single digit read: [{name, digit, confidence}], P : (n, 10) its rows' probabilities."""
    return [
        {"name": name, "digit": int(p.argmax()), "confidence": float(p.max())} for name, p in zip(reading.preparation, P, strict=True)
    ]


def preparation_note(read: list[dict]) -> str:
    """In words, which preparations the network read and how the answer was made from them."""
    if len(read) == 1:
        return f"read as one preparation ({read[0]['name']})"
    each = ", ".join(f"{r['name']} reads {r['digit']} ({r['confidence']:.0%})" for r in read)
    agree = len({r["digit"] for r in read}) == 1
    return f"read as {len(read)} preparations: {each}; the answer is their mean" + ("" if agree else ", less sure as they disagree")


def image_result(file: str, reading, P: np.ndarray, low_confidence: float, low_ink: float) -> dict:
    """What the network read in one image (a digitnet.reading.Reading), as plain JSON-ready values.

    P : (n, 10), the probabilities of each row of ``reading.pixels`` (every preparation of
    each of the image's k pieces). A piece's probabilities are the mean of its preparations'
    (digitnet.preparations.combine); the answer is the most probable digit of each piece,
    and its confidence is the lowest of them (a sheet is as sure as its least sure digit).
    """
    result = {"file": file, "group": group_of(file), "kind": reading.kind, "notes": list(reading.notes), "size": list(reading.size)}
    if reading.kind == "error":
        return {**result, "status": "error", "error": reading.error, "warnings": []}
    rows = P
    P = combine(rows, reading.piece, reading.pieces)  # (k, 10)
    best = P.argmax(axis=1)  # (k,)
    confidences = P.max(axis=1)  # (k,)
    result.update(status="ok", answer="".join(str(d) for d in best), confidence=float(confidences.min()))
    if reading.kind == "single":
        top3 = top_k(P[0], 3)
        read = preparations_read(reading, rows)
        result["notes"].append(preparation_note(read))
        result.update(
            top3=top3,
            probabilities=P[0].tolist(),
            preparations=read,
            warnings=prediction_warnings(top3[0][1], float(reading.ink[0]), low_confidence, low_ink),
        )
    else:
        result.update(
            pieces=[
                {"box": [int(v) for v in box], "row": int(row), "digit": int(d), "confidence": float(p)}
                for box, row, d, p in zip(reading.boxes, reading.rows, best, confidences, strict=True)
            ],
            warnings=sheet_warnings(confidences, low_confidence),
        )
    return result


def digits_right(answer: str, label: str) -> int:
    """How many of the label's digits were read right: position by position when the lengths match,
    else the longest common subsequence (a digit missed or split does not shift every digit after it)."""
    if len(answer) == len(label):
        return sum(a == b for a, b in zip(answer, label, strict=True))
    previous = [0] * (len(label) + 1)
    for a in answer:
        current = [0]
        for j, b in enumerate(label):
            current.append(previous[j] + 1 if a == b else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def score(image: dict, label: str | None) -> dict:
    """The image's result with its label and how right it is (correct, digits_right, digits_labelled)."""
    scored = {**image, "label": label, "correct": None, "digits_right": None, "digits_labelled": None}
    if label is not None and image["status"] == "ok":
        scored.update(
            correct=image["answer"] == label,
            digits_right=digits_right(image["answer"], label),
            digits_labelled=len(label),
        )
    return scored


def confusion_pairs(images: list[dict]) -> np.ndarray:
    """C : (10, 10) int, C[true, read] over labelled digits whose position is known.

    Single digits count always; a sheet's digits only when as many were read as labelled.
    """
    C = np.zeros((10, 10), dtype=np.int64)
    for image in images:
        if image["correct"] is not None and len(image["answer"]) == len(image["label"]):
            np.add.at(C, ([int(d) for d in image["label"]], [int(d) for d in image["answer"]]), 1)
    return C


def accuracy_summary(images: list[dict]) -> dict:
    """Counts and accuracies over ``images`` (scored): whole images (a sheet is right when every
    digit is), whole sheets alone, and single digits (every digit of every labelled image)."""
    labelled = [i for i in images if i["correct"] is not None]
    digits = sum(i["digits_labelled"] for i in labelled)
    summary = {
        "images": len(images),
        "read": sum(i["status"] == "ok" for i in images),
        "errors": sum(i["status"] != "ok" for i in images),
        "sheets": sum(i["kind"] == "sheet" for i in images),
        "labelled": len(labelled),
        "correct": sum(bool(i["correct"]) for i in labelled),
        "sheets_labelled": sum(i["kind"] == "sheet" for i in labelled),
        "sheets_correct": sum(i["kind"] == "sheet" and bool(i["correct"]) for i in labelled),
        "digits_labelled": digits,
        "digits_correct": sum(i["digits_right"] for i in labelled),
        "with_warnings": sum(bool(i.get("warnings")) for i in images),
    }
    summary["accuracy"] = summary["correct"] / len(labelled) if labelled else None
    summary["digit_accuracy"] = summary["digits_correct"] / digits if digits else None
    return summary


def calibration(confidence: np.ndarray, right: np.ndarray, low_confidence: float, bins: int = 10) -> dict:
    """How far confidence (n,) in [0, 1] can be trusted, given which answers were right (n,) bool.

    ECE, the expected calibration error: over ``bins`` equal-width bins of confidence, the sum
    of each bin's share of answers times |its accuracy - its mean confidence|; 0 when, in every
    bin, answers given p% confidence are right p% of the time. Also the bins themselves (the
    reliability diagram), and how many misreads had a confidence above ``low_confidence``: those
    the report's "low confidence" filter cannot catch.
    """
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            ece += float(inside.mean() * abs(right[inside].mean() - confidence[inside].mean()))
            table.append(
                {
                    "from": float(edges[b]),
                    "to": float(edges[b + 1]),
                    "count": int(inside.sum()),
                    "accuracy": float(right[inside].mean()),
                    "confidence": float(confidence[inside].mean()),
                }
            )
    return {
        "digits": len(confidence),
        "ece": ece,
        "misreads": int((~right).sum()),
        "misreads_above_low": int((~right & (confidence > low_confidence)).sum()),
        "bins": table,
    }


def labelled_confidences(images: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """(confidence (n,), right (n,) bool) of every labelled digit whose position is known: single
    digits, and the digits of sheets read with as many digits as labelled."""
    confidence, right = [], []
    for image in images:
        if image["correct"] is None or len(image["answer"]) != len(image["label"]):
            continue
        each = [image["confidence"]] if image["kind"] == "single" else [p["confidence"] for p in image["pieces"]]
        confidence += each
        right += [a == b for a, b in zip(image["answer"], image["label"], strict=True)]
    return np.array(confidence, dtype=np.float64), np.array(right, dtype=bool)


def needs_a_look(images: list[dict], first: int, at_most: int) -> list[str]:
    """Files whose stage-by-stage figure the report shows: the misread, then the warned, then the first
    ``first`` images; at most ``at_most`` in all, in folder order. Unreadable images have no stages."""
    readable = [i for i in images if i["status"] == "ok"]
    ranked = [i["file"] for i in readable if i["correct"] is False]
    ranked += [i["file"] for i in readable if i.get("warnings")]
    ranked += [i["file"] for i in readable[:first]]
    chosen = set(list(dict.fromkeys(ranked))[:at_most])
    return [i["file"] for i in readable if i["file"] in chosen]


SUMMARY_COLUMNS = [
    "file",
    "group",
    "kind",
    "status",
    "label",
    "answer",
    "confidence",
    "second",
    "p_second",
    "third",
    "p_third",
    "correct",
    "digits_right",
    "digits_labelled",
    "warnings",
    "error",
]


def summary_row(result: dict) -> dict:
    """One predictions.csv row from a scored image (second and third guesses for single digits)."""
    row = {column: "" for column in SUMMARY_COLUMNS}
    row.update(file=result["file"], group=result["group"], kind=result["kind"], status=result["status"])
    row["label"] = result["label"] or ""
    if result["status"] == "ok":
        row.update(answer=result["answer"], confidence=f"{result['confidence']:.4f}")
        if result["kind"] == "single":
            (_, _), (second, p2), (third, p3) = result["top3"]
            row.update(second=second, p_second=f"{p2:.4f}", third=third, p_third=f"{p3:.4f}")
        if result["correct"] is not None:
            row.update(correct=int(result["correct"]), digits_right=result["digits_right"], digits_labelled=result["digits_labelled"])
        row["warnings"] = "; ".join(result["warnings"])
    else:
        row["error"] = result["error"]
    return row
