"""Custom digits without Snakemake: labels, scoring, which images need a look, the per-image cache."""

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.photolike import photo_like
from digitnet.custom import alignment, confusion_pairs, image_result, label_from_name, needs_a_look, score, sheet_warnings
from digitnet.reading import Reading, read_folder

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.mark.parametrize(
    "name,mode,label",
    [
        ("seven_7.jpg", "single", "7"),
        ("3.png", "single", "3"),
        ("photo_12.jpg", "single", None),
        ("2026.jpg", "sheet", "2026"),
        ("phone_0612345678.png", "auto", "0612345678"),
        ("anna/digit-4.jpg", "auto", "4"),
        ("no label.png", "auto", None),
    ],
)
def test_labels_are_the_digits_ending_the_file_name(name, mode, label):
    assert label_from_name(name, mode) == label


def test_a_sheet_is_scored_by_aligning_its_digits_with_the_label():
    assert alignment("2026", "2026") == {"right": 4, "misread": 0, "missed": 0, "added": 0}
    assert alignment("2076", "2026") == {"right": 3, "misread": 1, "missed": 0, "added": 0}
    # One digit missed, or one added: the ones after it still count.
    assert alignment("206", "2026") == {"right": 3, "misread": 0, "missed": 1, "added": 0}
    assert alignment("20226", "2026") == {"right": 4, "misread": 0, "missed": 0, "added": 1}
    # A page of specks cut into 2,055 "digits", labelled 3: one right, 2,054 added, not "1 of 1 right".
    assert alignment("1" * 2054 + "3", "3") == {"right": 1, "misread": 0, "missed": 0, "added": 2054}


def test_the_alignment_has_the_fewest_edits_of_any(rng):
    def levenshtein(a, b):
        previous = list(range(len(b) + 1))
        for i, x in enumerate(a, 1):
            current = [i]
            for j, y in enumerate(b, 1):
                current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
            previous = current
        return previous[-1]

    for _ in range(200):
        a = "".join(map(str, rng.integers(0, 4, rng.integers(0, 9))))
        b = "".join(map(str, rng.integers(0, 4, rng.integers(0, 9))))
        counts = alignment(a, b)
        assert counts["misread"] + counts["missed"] + counts["added"] == levenshtein(a, b)
        assert counts["right"] + counts["misread"] + counts["missed"] == len(b)
        assert counts["right"] + counts["misread"] + counts["added"] == len(a)


def result(file, answer, label, warnings=(), status="ok"):
    return score(
        {"file": file, "group": "", "kind": "single", "status": status, "answer": answer, "warnings": list(warnings)}, label
    )


def test_confusion_counts_labelled_digits_only_where_their_position_is_known():
    images = [
        result("a", "7", "7"),
        result("b", "1", "7"),
        result("c", "12", "12"),
        result("d", "1", "12"),
        result("e", "3", None),
    ]
    C = confusion_pairs(images)
    assert C.sum() == 4 and C[7, 7] == 1 and C[7, 1] == 1 and C[1, 1] == 1 and C[2, 2] == 1


def test_images_that_need_a_look_are_the_misread_then_the_warned_then_the_first():
    images = [result(f"{i}", "1", "1") for i in range(10)]
    images[7] = result("7", "2", "1")
    images[5] = result("5", "1", None, warnings=["low confidence"])
    images[0] = result("0", "", None, status="error")
    assert needs_a_look(images, first=2, at_most=10) == ["1", "2", "5", "7"]
    assert needs_a_look(images, first=2, at_most=2) == ["5", "7"]


@pytest.fixture
def folder(tmp_path, mnist_path):
    from digitnet.data.formats import read_idx_images

    images = read_idx_images(mnist_path / "t10k-images-idx3-ubyte.gz")[:3] / 255
    rng = np.random.default_rng(0)
    (tmp_path / "photos/anna").mkdir(parents=True)
    for i, name in enumerate(["a_7.jpg", "b_2.jpg", "anna/c_1.jpg"]):
        photo_like(images[i], rng, canvas=200).save(tmp_path / "photos" / name)
    return tmp_path


def test_the_cache_prepares_only_new_or_edited_images_and_forgets_deleted_ones(folder):
    photos, cache = folder / "photos", folder / "cache"
    names = ["a_7.jpg", "anna/c_1.jpg", "b_2.jpg"]
    first = read_folder(photos, names, "single", 40.0, cache)
    assert first.prepared == names and first.cached == 0
    again = read_folder(photos, names, "single", 40.0, cache)
    assert again.prepared == [] and again.cached == 3
    assert [r.pixels.tolist() for r in again.readings] == [r.pixels.tolist() for r in first.readings]
    (photos / "b_2.jpg").write_bytes((photos / "a_7.jpg").read_bytes()[:-10] + b"0123456789")
    assert read_folder(photos, names, "single", 40.0, cache).prepared == ["b_2.jpg"]
    (photos / "b_2.jpg").unlink()
    assert read_folder(photos, names[:2], "single", 40.0, cache).prepared == []
    assert len(list(cache.glob("readings/*/*.npz"))) == 2


def test_other_settings_start_a_new_cache(folder):
    photos, cache = folder / "photos", folder / "cache"
    read_folder(photos, ["a_7.jpg"], "single", 40.0, cache)
    assert read_folder(photos, ["a_7.jpg"], "single", 20.0, cache).prepared == ["a_7.jpg"]
    assert len(list((cache / "readings").iterdir())) == 1


def test_another_judging_model_prepares_sheets_again_but_not_single_digits(folder, model_for_photos):
    """In modes sheet and auto the network judges where touching digits part, so the cache is
    named by its weights too; a single digit's preparation does not depend on it."""
    from digitnet.model import save_model

    photos, cache = folder / "photos", folder / "cache"
    first, second = folder / "first.npz", folder / "second.npz"
    save_model(model_for_photos, first)
    weight = model_for_photos.parameters()[0].value
    kept = weight[0, 0].copy()
    weight[0, 0] += 1.0  # another model: other bytes
    save_model(model_for_photos, second)
    weight[0, 0] = kept  # the shared network exactly as it was, for the other tests
    assert read_folder(photos, ["a_7.jpg"], "auto", 40.0, cache, weights=first).prepared == ["a_7.jpg"]
    assert read_folder(photos, ["a_7.jpg"], "auto", 40.0, cache, weights=first).prepared == []
    assert read_folder(photos, ["a_7.jpg"], "auto", 40.0, cache, weights=second).prepared == ["a_7.jpg"]
    read_folder(photos, ["a_7.jpg"], "single", 40.0, cache, weights=first)
    assert read_folder(photos, ["a_7.jpg"], "single", 40.0, cache, weights=second).prepared == []


def test_an_unreadable_image_becomes_an_error_reading(folder):
    photos = folder / "photos"
    (photos / "broken.png").write_text("not an image")
    reading = read_folder(photos, ["broken.png"], "auto", 40.0, folder / "cache").readings[0]
    assert reading.kind == "error" and "not an image" in reading.error and reading.pixels.shape == (0, 784)


def test_reading_the_folder_imports_no_matplotlib():
    code = "import sys, digitnet.reading, digitnet.custom, digitnet.model; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=SCRIPTS, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("damage", ["truncated", "foreign", "wrong shapes", "another image's"])
def test_a_damaged_cache_entry_is_prepared_again_with_a_warning(folder, caplog, damage):
    photos, cache = folder / "photos", folder / "cache"
    first = read_folder(photos, ["a_7.jpg", "b_2.jpg"], "single", 40.0, cache)
    entry = next(cache.glob(f"readings/*/{first.hashes[0]}.npz"))
    if damage == "truncated":
        entry.write_bytes(entry.read_bytes()[:100])
    elif damage == "foreign":
        np.savez(entry, weights=np.zeros(3))
    elif damage == "another image's":
        entry.write_bytes(next(cache.glob(f"readings/*/{first.hashes[1]}.npz")).read_bytes())  # valid, but b_2.jpg's
    else:
        np.savez(
            entry,
            pixels=np.zeros((2, 5)),
            boxes=np.zeros((1, 4)),
            rows=np.zeros(1),
            ink=np.zeros(1),
            thumbnail=np.zeros((1, 1, 3)),
            meta=np.array('{"kind": "single", "size": [1, 1], "notes": [], "error": null}'),
        )
    log = logging.getLogger("digitnet.test_cache")
    with caplog.at_level(logging.WARNING, logger=log.name):
        again = read_folder(photos, ["a_7.jpg", "b_2.jpg"], "single", 40.0, cache, log=log)
    assert again.prepared == ["a_7.jpg"] and again.cached == 1
    assert again.readings[0].pixels.tolist() == first.readings[0].pixels.tolist()
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and "a_7.jpg" in warnings[0] and "damaged" in warnings[0]
    assert read_folder(photos, ["a_7.jpg", "b_2.jpg"], "single", 40.0, cache).prepared == []


def test_a_single_digit_is_answered_by_the_mean_of_its_preparations_and_says_so():
    reading = Reading(
        kind="single",
        pixels=np.zeros((2, 784), np.float32),
        piece=np.zeros(2, np.int64),
        preparation=["plain", "photo"],
        boxes=np.array([[0, 0, 10, 10]]),
        rows=np.zeros(1, np.int64),
        ink=np.array([0.1], np.float32),
    )
    P = np.zeros((2, 10), np.float32)
    P[0, 6], P[0, 5] = 0.6, 0.4  # plain reads 6
    P[1, 5], P[1, 6] = 0.9, 0.1  # photo reads 5
    result = image_result("a.png", reading, P, low_confidence=0.6, low_ink=0.03)
    assert result["answer"] == "5" and result["confidence"] == pytest.approx(0.65)
    assert result["preparations"] == [
        {"name": "plain", "digit": 6, "confidence": pytest.approx(0.6)},
        {"name": "photo", "digit": 5, "confidence": pytest.approx(0.9)},
    ]
    assert "plain reads 6 (60%), photo reads 5 (90%); the answer is their mean, calibrated, less sure as they disagree" in result["notes"][-1]


def test_a_sheet_whose_marks_mostly_do_not_read_as_digits_is_flagged_and_long_lists_are_cut():
    unsure = sheet_warnings(np.array([0.3] * 30 + [0.99] * 10), low_confidence=0.6)
    assert unsure[0].startswith("no handwritten digits found: 30 of its 40 marks")
    few = sheet_warnings(np.array([0.3] * 15 + [0.99] * 20), low_confidence=0.6)
    assert few[0].startswith("low confidence on digit 1 (30%), 2 (30%)") and "and 5 more of 35" in few[0]
