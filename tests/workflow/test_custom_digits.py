"""Your digits in the workflow: good images are read, bad ones get an error row, and nothing else stops."""

import csv
import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from conftest import REPO, SMALL_CONFIG, planned_jobs, snakemake, write_config
from digitnet.data.formats import read_idx_images
from digitnet.photolike import photo_like


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


def test_good_images_are_read_with_labels_from_name_and_csv(messy_run):
    workdir, _ = messy_run
    table = rows(workdir)
    assert table["seven_7.jpg"]["status"] == "ok" and table["seven_7.jpg"]["label"] == "7"
    assert table["two.jpg"]["status"] == "ok" and table["two.jpg"]["label"] == "2"
    assert table["seven_7.jpg"]["predicted"] != ""
    for name in ["seven_7.jpg", "two.jpg"]:
        assert (workdir / f"results/custom/{name}/steps.png").stat().st_size > 0
        with np.load(workdir / f"results/custom/{name}/digit.npz") as data:
            assert data["pixels"].shape == (784,) and data["pixels"].max() == pytest.approx(1.0)


@pytest.mark.parametrize(
    "name,message",
    [
        ("not-an-image.png", "not an image"),
        ("empty.jpg", "the file is empty (0 bytes)"),
        ("truncated.jpg", "corrupt or truncated image"),
        ("blank-page.png", "no ink found: the page looks blank"),
        ("enormous.png", "144 megapixels), more than the 40 allowed"),
        ("gone.png", "not a readable file"),
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


def test_adding_one_image_runs_only_that_images_steps(messy_run, tmp_path):
    workdir, _ = messy_run
    copy = tmp_path / "digitnet"
    shutil.copytree(workdir, copy, symlinks=True)
    shutil.copy(copy / "custom_digits/seven_7.jpg", copy / "custom_digits/another_7.jpg")
    assert planned_jobs(copy) == {"preprocess_image", "predict_image", "plot_image_steps", "collect_predictions", "report"}


def test_kaggle_test_csv_becomes_a_submission(finished_run, small_data, tmp_path):
    workdir = tmp_path / "digitnet"
    shutil.copytree(finished_run, workdir, symlinks=True)
    images = read_idx_images(small_data / "t10k-images-idx3-ubyte.gz")[:50]
    pd.DataFrame(images, columns=[f"pixel{i}" for i in range(784)]).to_csv(tmp_path / "test.csv", index=False)
    write_config(workdir, {**SMALL_CONFIG, "data_dir": str(small_data), "kaggle_test_csv": str(tmp_path / "test.csv")})
    # The report shows the config, so it is redrawn too.
    assert planned_jobs(workdir) == {"kaggle_submission", "report"}
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
