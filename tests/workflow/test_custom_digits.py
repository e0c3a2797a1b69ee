"""Your digits in the workflow: good images are read, bad ones get an error row, and nothing else stops."""

import csv
import io
import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image

from bench.photolike import photo_like
from conftest import REPO, SMALL_CONFIG, planned_jobs, snakemake, write_config
from digitnet.data.formats import read_idx_images, read_idx_labels


@pytest.fixture(scope="module")
def messy_run(finished_run, small_data, tmp_path_factory):
    """The finished small run, with a folder of good and bad images added, run again."""
    workdir = tmp_path_factory.mktemp("messy") / "digitnet"
    shutil.copytree(finished_run, workdir, symlinks=True)
    folder = workdir / "custom_digits"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    images = read_idx_images(small_data / "t10k-images-idx3-ubyte.gz")[:3] / 255
    rng = np.random.default_rng(3)
    photo_like(images[0], rng).save(folder / "seven_7.jpg")
    photo_like(images[1], rng).save(folder / "two.jpg")
    (folder / "labels.csv").write_text("file,label\ntwo.jpg,2\n")
    (folder / "not-an-image.png").write_text("just some text, not pixels")
    (folder / "empty.jpg").write_bytes(b"")
    buffer = io.BytesIO()
    photo_like(images[2], rng).save(buffer, format="JPEG")
    (folder / "truncated.jpg").write_bytes(buffer.getvalue()[:300])
    Image.new("L", (400, 300), 235).save(folder / "blank-page.png")
    Image.new("1", (12000, 12000)).save(folder / "enormous.png")
    (folder / "gone.png").symlink_to(folder / "does-not-exist.png")
    (folder / "README.txt").write_text("not an image extension: ignored")
    result = snakemake(workdir)
    return workdir, result


def rows(workdir) -> dict[str, dict]:
    with open(workdir / "results/custom/predictions.csv") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def readings(workdir) -> dict:
    return json.loads((workdir / "results/custom/readings.json").read_text())


def test_good_images_are_read_with_labels_from_name_and_csv(messy_run):
    workdir, _ = messy_run
    table = rows(workdir)
    assert table["seven_7.jpg"]["status"] == "ok" and table["seven_7.jpg"]["label"] == "7"
    assert table["two.jpg"]["status"] == "ok" and table["two.jpg"]["label"] == "2"
    assert len(table["seven_7.jpg"]["answer"]) == 1
    names = [image["file"] for image in readings(workdir)["images"]]
    with np.load(workdir / "results/custom/images.npz") as data:
        for name in ["seven_7.jpg", "two.jpg"]:
            pixels = data[f"pixels{names.index(name)}"]
            assert pixels.shape == (1, 784) and pixels.max() == pytest.approx(1.0)
    # The first few images are always drawn stage by stage; unreadable ones have no stages.
    drawn = json.loads((workdir / "results/custom/steps/index.json").read_text())
    assert {"seven_7.jpg", "two.jpg"} <= set(drawn)
    assert all((workdir / "results/custom/steps" / png).stat().st_size > 0 for png in drawn.values())


@pytest.mark.parametrize(
    "name,message",
    [
        ("not-an-image.png", "not an image"),
        ("empty.jpg", "the file is empty (0 bytes)"),
        ("truncated.jpg", "corrupt or truncated image"),
        ("blank-page.png", "no ink found: the page looks blank"),
        ("enormous.png", "144 megapixels), more than the 40 allowed"),
        ("gone.png", "no such file"),
    ],
)
def test_each_bad_image_gets_an_error_row_and_a_report_entry(messy_run, name, message):
    workdir, _ = messy_run
    row = rows(workdir)[name]
    assert row["status"] == "error" and message in row["error"]
    report = (workdir / "report.html").read_text()
    assert name in report and message.split("(")[0].strip() in report


def test_files_without_an_image_extension_are_left_alone(messy_run):
    workdir, _ = messy_run
    assert "README.txt" not in rows(workdir)


def test_the_rest_of_the_workflow_still_completes(messy_run):
    workdir, result = messy_run
    assert result.returncode == 0
    summary = json.loads((workdir / "results/custom/summary.json").read_text())["summary"]
    assert summary["images"] == 8 and summary["read"] == 2 and summary["errors"] == 6 and summary["labelled"] == 2


CUSTOM_JOBS = {"read_custom_digits", "collect_predictions", "plot_image_steps", "report", "publish_report"}


@pytest.fixture
def messy_copy(messy_run, tmp_path):
    workdir, _ = messy_run
    copy = tmp_path / "digitnet"
    shutil.copytree(workdir, copy, symlinks=True)
    return copy


def test_a_second_run_does_nothing(messy_copy):
    assert planned_jobs(messy_copy) == set()


def test_adding_one_image_prepares_that_image_alone(messy_copy, small_data):
    image = read_idx_images(small_data / "t10k-images-idx3-ubyte.gz")[5] / 255
    photo_like(image, np.random.default_rng(11)).save(messy_copy / "custom_digits/another_1.jpg")
    assert planned_jobs(messy_copy) == CUSTOM_JOBS
    snakemake(messy_copy)
    assert readings(messy_copy)["prepared"] == ["another_1.jpg"]
    assert rows(messy_copy)["another_1.jpg"]["label"] == "1"
    # Its figure too is the only one drawn: the others come from the same cache as the readings.
    assert re.search(r"drawn stage by stage, [01] of them anew", (messy_copy / "logs/plot_image_steps.log").read_text())
    assert sorted(shelf.name for shelf in (messy_copy / "results/custom/cache").iterdir()) == ["figures", "readings"]
    assert planned_jobs(messy_copy) == set()


def test_editing_one_image_prepares_that_image_alone(messy_copy):
    before = rows(messy_copy)["seven_7.jpg"]
    with Image.open(messy_copy / "custom_digits/seven_7.jpg") as photo:
        photo.rotate(90, expand=True).save(messy_copy / "custom_digits/seven_7.jpg")
    assert planned_jobs(messy_copy) == CUSTOM_JOBS
    snakemake(messy_copy)
    assert readings(messy_copy)["prepared"] == ["seven_7.jpg"]
    assert before["file"] in rows(messy_copy) and len(rows(messy_copy)) == 8


def test_deleting_one_image_prepares_nothing_and_drops_its_row(messy_copy):
    (messy_copy / "custom_digits/two.jpg").unlink()
    assert planned_jobs(messy_copy) == CUSTOM_JOBS
    snakemake(messy_copy)
    assert readings(messy_copy)["prepared"] == []
    assert "two.jpg" not in rows(messy_copy) and "seven_7.jpg" in rows(messy_copy)


def test_a_folder_that_does_not_exist_is_an_error_that_names_it(messy_copy):
    config = yaml.safe_load((messy_copy / "test-config.yaml").read_text())
    write_config(messy_copy, {**config, "custom_digits": {"folder": "no-such-folder", "model": None}})
    result = snakemake(messy_copy, "--dry-run", check=False)
    assert result.returncode != 0
    assert "custom_digits.folder: no-such-folder is not a folder" in result.stdout + result.stderr


def test_sub_folders_are_read_and_scored_per_folder(messy_copy, small_data):
    images = read_idx_images(small_data / "t10k-images-idx3-ubyte.gz")[:2] / 255
    rng = np.random.default_rng(5)
    for writer, pixels, label in [("anna", images[0], 7), ("ben", images[1], 2)]:
        (messy_copy / "custom_digits" / writer).mkdir()
        photo_like(pixels, rng).save(messy_copy / f"custom_digits/{writer}/digit_{label}.jpg")
    snakemake(messy_copy)
    table = rows(messy_copy)
    assert table["anna/digit_7.jpg"]["group"] == "anna" and table["anna/digit_7.jpg"]["label"] == "7"
    assert readings(messy_copy)["prepared"] == ["anna/digit_7.jpg", "ben/digit_2.jpg"]
    groups = json.loads((messy_copy / "results/custom/summary.json").read_text())["groups"]
    assert [g["name"] for g in groups] == ["(top of the folder)", "anna", "ben"]
    assert [g["images"] for g in groups] == [8, 1, 1]
    assert "Per sub-folder" in (messy_copy / "report.html").read_text()


def sheet_of(digits: np.ndarray, gap: int = 24) -> Image.Image:
    """MNIST digits (k, 784) in [0, 1] side by side, dark ink on white paper, ``gap`` pixels apart at 4x."""
    tiles = [np.pad(d.reshape(28, 28), ((6, 6), (0, 0))) for d in digits]
    spacer = np.zeros((40, gap // 4))
    row = np.concatenate([spacer] + [t for tile in tiles for t in (tile, spacer)], axis=1)
    page = (255 * (1 - row)).astype(np.uint8)
    return Image.fromarray(page).resize((page.shape[1] * 4, page.shape[0] * 4), Image.Resampling.BILINEAR).convert("RGB")


def test_a_sheet_is_read_digit_by_digit_and_labelled_by_its_name(messy_copy, small_data):
    images = read_idx_images(small_data / "t10k-images-idx3-ubyte.gz")[:4] / 255
    labels = read_idx_labels(small_data / "t10k-labels-idx1-ubyte.gz")[:4]
    name = "year_" + "".join(str(d) for d in labels) + ".png"
    sheet_of(images).save(messy_copy / "custom_digits" / name)
    snakemake(messy_copy)
    result = next(i for i in readings(messy_copy)["images"] if i["file"] == name)
    assert result["kind"] == "sheet" and len(result["pieces"]) == 4 and len(result["answer"]) == 4
    lefts = [piece["box"][0] for piece in result["pieces"]]
    assert lefts == sorted(lefts)
    row = rows(messy_copy)[name]
    assert row["label"] == name[5:9] and row["digits_labelled"] == "4"
    summary = json.loads((messy_copy / "results/custom/summary.json").read_text())["summary"]
    assert summary["sheets"] == 1 and summary["sheets_labelled"] == 1 and summary["digits_labelled"] == 2 + 4
    assert summary["sheets_correct"] == int(row["correct"])
    assert 'class="piece' in (messy_copy / "report.html").read_text()


def test_kaggle_test_csv_becomes_a_submission(finished_run, small_data, tmp_path):
    workdir = tmp_path / "digitnet"
    shutil.copytree(finished_run, workdir, symlinks=True)
    images = read_idx_images(small_data / "t10k-images-idx3-ubyte.gz")[:50]
    pd.DataFrame(images, columns=[f"pixel{i}" for i in range(784)]).to_csv(tmp_path / "test.csv", index=False)
    write_config(workdir, {**SMALL_CONFIG, "data_dir": str(small_data), "kaggle_test_csv": str(tmp_path / "test.csv")})
    # The report shows the config, so it is redrawn too.
    assert planned_jobs(workdir) == {"kaggle_submission", "report", "publish_report"}
    snakemake(workdir)
    submission = pd.read_csv(workdir / "results/kaggle/submission.csv")
    assert list(submission.columns) == ["ImageId", "Label"]
    assert submission["ImageId"].tolist() == list(range(1, 51))
    assert submission["Label"].between(0, 9).all()


def test_the_example_digits_in_the_repository_are_all_read_correctly(finished_run):
    table = rows(finished_run)
    examples = sorted(p.name for p in (REPO / "custom_digits").iterdir() if p.suffix in (".jpg", ".png"))
    assert sorted(table) == examples
    assert all(row["status"] == "ok" for row in table.values())
