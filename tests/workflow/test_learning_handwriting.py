"""Learning a person's handwriting in the workflow: a cached rule, measured honestly, in the report."""

import json
import shutil

import numpy as np
import pytest
import yaml

from bench.photolike import photo_like
from conftest import planned_jobs, snakemake, write_config
from digitnet.data.formats import read_idx_images, read_idx_labels

TUNED = "results/models/mnist/mlp128-tuned"


@pytest.fixture(scope="module")
def tuned_run(finished_run, small_data, tmp_path_factory):
    """The finished small run with 24 labelled photos of two writers and one unlabelled, and
    custom_digits.finetune on, run again."""
    workdir = tmp_path_factory.mktemp("finetune") / "digitnet"
    shutil.copytree(finished_run, workdir, symlinks=True)
    folder = workdir / "custom_digits"
    shutil.rmtree(folder)
    images = read_idx_images(small_data / "t10k-images-idx3-ubyte.gz")[:25] / 255
    labels = read_idx_labels(small_data / "t10k-labels-idx1-ubyte.gz")[:25]
    rng = np.random.default_rng(5)
    for k in range(24):
        writer = folder / ("anna" if k % 2 else "ben")
        writer.mkdir(parents=True, exist_ok=True)
        photo_like(images[k], rng, canvas=200).save(writer / f"digit{k:02d}_{labels[k]}.jpg")
    photo_like(images[24], rng, canvas=200).save(folder / "unlabelled.jpg")
    config = yaml.safe_load((workdir / "test-config.yaml").read_text())
    config["custom_digits"]["finetune"] = {"enabled": True, "epochs": 2}
    write_config(workdir, config)
    snakemake(workdir)
    return workdir


def test_the_tuned_network_is_a_model_beside_the_others_and_its_measure_is_cross_validated(tuned_run):
    assert (tuned_run / TUNED / "weights.npz").is_file() and (tuned_run / TUNED / "history.csv").is_file()
    summary = json.loads((tuned_run / "results/custom/finetune.json").read_text())
    assert summary["labelled"] == 24 and summary["writers"] == ["anna", "ben"]
    assert summary["within"]["images"] == 24 and summary["new_writer"]["images"] == 24
    assert [row["writer"] for row in summary["within"]["writers"]] == ["anna", "ben"]
    assert 0 < summary["mnist_after"] <= 1 and summary["layers"]
    report = (tuned_run / "report.html").read_text()
    assert "Learning your handwriting" in report and "mlp128-tuned" in report


def test_it_reruns_for_a_labelled_image_or_a_label_never_for_an_unlabelled_one(tuned_run, tmp_path):
    workdir = tmp_path / "digitnet"
    shutil.copytree(tuned_run, workdir, symlinks=True)
    shutil.copy(workdir / "custom_digits/unlabelled.jpg", workdir / "custom_digits/another.jpg")
    assert "finetune" not in planned_jobs(workdir) and "read_custom_digits" in planned_jobs(workdir)
    (workdir / "custom_digits/another.jpg").unlink()
    (workdir / "custom_digits/labels.csv").write_text("file,label\nunlabelled.jpg,7\n")
    assert "finetune" in planned_jobs(workdir)


def test_the_tuned_network_can_read_the_digits(tuned_run, tmp_path):
    workdir = tmp_path / "digitnet"
    shutil.copytree(tuned_run, workdir, symlinks=True)
    config = yaml.safe_load((workdir / "test-config.yaml").read_text())
    config["custom_digits"]["model"] = "mlp128-tuned"
    write_config(workdir, config)
    snakemake(workdir)
    assert json.loads((workdir / "results/custom/readings.json").read_text())["model"] == "mlp128-tuned"


def test_too_few_labelled_digits_are_explained_and_nothing_is_learned(tuned_run, tmp_path):
    workdir = tmp_path / "digitnet"
    shutil.copytree(tuned_run, workdir, symlinks=True)
    for path in sorted((workdir / "custom_digits/anna").glob("*.jpg"))[3:]:
        path.unlink()
    shutil.rmtree(workdir / "custom_digits/ben")
    snakemake(workdir)
    summary = json.loads((workdir / "results/custom/finetune.json").read_text())
    assert summary["skipped"].startswith("only 3 labelled digits: fine-tuning needs at least 20")
    assert summary["mnist_after"] == summary["mnist_before"]
    assert "only 3 labelled digits" in (workdir / "report.html").read_text()
