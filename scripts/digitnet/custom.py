"""People's own digit images: labels, answers and their warnings, how right they are, which need a look.

A label is a string of digits: "7" for one digit, "2026" for a sheet that holds a year.
An answer is the digits read, in reading order, in the same form.
"""

import csv
import io
import re
from pathlib import Path

import numpy as np

from digitnet.errors import DataError
from digitnet.preparations import calibrate, combine

# A label at the end of the file name: "seven_7.png", "my-digit-3.jpg", "4.png"; for sheets
# a digit string: "2026.jpg", "phone_0612345678.png".
ASCII_DIGITS = re.compile(r"[0-9]+")  # str.isdigit() would take "²" and "٣" too
LABEL_IN_NAME = {"single": re.compile(r"(?:^|[_\-\s])([0-9])$"), "sheet": re.compile(r"(?:^|[_\-\s])([0-9]+)$")}


# A sheet of at least NOT_DIGITS_FROM marks, more than NOT_DIGITS of which read with low confidence,
# is most likely not handwritten digits: printed letters read as digits only now and then.
NOT_DIGITS_FROM = 3
NOT_DIGITS = 0.5
LISTED = 10  # a warning names at most this many digits by position


def plural(count: int, word: str) -> str:
    """``count`` and ``word``, the word in the plural unless count is 1: "1 error", "3 errors"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def named(names: list[str], at_most: int = LISTED) -> str:
    """Up to ``at_most`` names joined by commas, then how many more: a log line stays short."""
    shown = ", ".join(names[:at_most])
    return shown + (f" and {len(names) - at_most} more" if len(names) > at_most else "")


def label_from_name(name: str, mode: str = "single") -> str | None:
    """The digits a file name ends with (before the extension), after _, - or a space; else None.

    mode "single" takes one digit only ("photo_12.jpg" has no label); "sheet" and "auto"
    take the whole digit string.
    """
    pattern = LABEL_IN_NAME["single" if mode == "single" else "sheet"]
    match = pattern.search(Path(name).stem)
    return match.group(1) if match else None


def read_labels_csv(path: Path) -> tuple[dict[str, str], list[str]]:
    """({file name: label}, warnings) from a CSV with columns ``file`` and ``label``.

    ``file`` is the path inside the folder ("anna/3.jpg" for a sub-folder); ``label`` a digit
    string of ASCII 0-9 ("7", or "2026" for a sheet). The file is UTF-8, with or without the
    byte-order mark a spreadsheet's "CSV UTF-8" export writes. Empty labels are skipped; an
    empty file has no labels. DataError, naming the file and line, for another encoding, other
    columns or a label that is not digits 0-9 (a superscript 2 or an Arabic-Indic 3 is not).
    A file labelled twice is a warning (the last label counts).
    """
    raw = Path(path).read_bytes()
    if not raw.strip():
        return {}, [f"{Path(path).name} is empty: no labels were taken from it"]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(f"{path}: line {line} is not UTF-8 text: save the file as CSV UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None or not {"file", "label"} <= {name.strip() for name in reader.fieldnames}:
        raise DataError(f"{path}: expected columns 'file' and 'label', found {reader.fieldnames}")
    labels: dict[str, str] = {}
    warnings: list[str] = []
    for row_number, row in enumerate(reader, start=2):
        row = {(key or "").strip(): value for key, value in row.items()}
        value = (row["label"] or "").strip()
        if value == "":
            continue
        if not ASCII_DIGITS.fullmatch(value):
            raise DataError(f"{path}: line {row_number}: label {value!r} is not a string of the digits 0-9")
        file = (row["file"] or "").strip()
        if file in labels:
            warnings.append(f"{Path(path).name}, line {row_number}: {file} is labelled again ({labels[file]}, now {value}): the last label counts")
        labels[file] = value
    return labels, warnings


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
    return f"read as {len(read)} preparations: {each}; the answer is their mean, calibrated" + ("" if agree else ", less sure as they disagree")


def image_result(file: str, reading, P: np.ndarray, low_confidence: float, low_ink: float, temperature: float = 1.0) -> dict:
    """What the network read in one image (a digitnet.reading.Reading), as plain JSON-ready values.

    P : (n, 10), the probabilities of each row of ``reading.pixels`` (every preparation of
    each of the image's k pieces). A piece's probabilities are the mean of its preparations'
    (digitnet.preparations.combine), calibrated with ``temperature`` (preparations.calibrate);
    the answer is the most probable digit of each piece, and its confidence is the lowest of
    them (a sheet is as sure as its least sure digit).
    """
    result = {"file": file, "group": group_of(file), "kind": reading.kind, "notes": list(reading.notes), "size": list(reading.size)}
    if reading.kind == "error":
        return {**result, "status": "error", "error": reading.error, "warnings": []}
    rows = P
    P = calibrate(combine(rows, reading.piece, reading.pieces), temperature)  # (k, 10)
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


def alignment(answer: str, label: str) -> dict[str, int]:
    """How a digit string read lines up with its label: {right, misread, missed, added}.

    From an alignment with the fewest edits (Levenshtein: each digit read is matched to a
    labelled one, right or misread, or is added; each labelled digit not matched is missed),
    ties broken towards more digits right. One digit missed does not count every digit after it
    as wrong, and a page of specks labelled "3" scores 1 right and every other digit added.
    """
    rows, cols = len(answer) + 1, len(label) + 1
    cost = np.zeros((rows, cols), dtype=np.int64)
    cost[:, 0], cost[0, :] = np.arange(rows), np.arange(cols)
    for i in range(1, rows):
        # Row by row, vectorised over the label: substitution and addition first, then the
        # missed digits as a running minimum along the row (cost[i, j] <= cost[i, j - 1] + 1).
        same = np.array([answer[i - 1] == b for b in label], dtype=bool)
        cost[i, 1:] = np.minimum(cost[i - 1, :-1] + ~same, cost[i - 1, 1:] + 1)
        cost[i] = np.minimum.accumulate(cost[i] - np.arange(cols)) + np.arange(cols)
    counts = {"right": 0, "misread": 0, "missed": 0, "added": 0}
    i, j = len(answer), len(label)
    while i or j:
        if i and j and cost[i, j] == cost[i - 1, j - 1] + (answer[i - 1] != label[j - 1]):
            counts["right" if answer[i - 1] == label[j - 1] else "misread"] += 1
            i, j = i - 1, j - 1
        elif i and cost[i, j] == cost[i - 1, j] + 1:
            counts["added"] += 1
            i -= 1
        else:
            counts["missed"] += 1
            j -= 1
    return counts


def score(image: dict, label: str | None) -> dict:
    """The image's result with its label and how right it is: correct (the whole answer), and its
    digits right, misread, missed and added against the label (alignment), of digits_labelled."""
    scored = {**image, "label": label, "correct": None, "digits_labelled": None}
    scored.update({f"digits_{key}": None for key in ("right", "misread", "missed", "added")})
    if label is not None and image["status"] == "ok":
        scored.update(correct=image["answer"] == label, digits_labelled=len(label))
        scored.update({f"digits_{key}": n for key, n in alignment(image["answer"], label).items()})
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
        "digits_missed": sum(i["digits_missed"] for i in labelled),
        "digits_added": sum(i["digits_added"] for i in labelled),
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
    "digits_missed",
    "digits_added",
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
            row.update({key: result[key] for key in ("digits_right", "digits_missed", "digits_added", "digits_labelled")})
            row["correct"] = int(result["correct"])
        row["warnings"] = "; ".join(result["warnings"])
    else:
        row["error"] = result["error"]
    return row
