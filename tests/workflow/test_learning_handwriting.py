"""Learning a person's handwriting in the workflow: a cached rule, measured honestly, in the report."""

import json
import shutil

import numpy as np
import pytest
import yaml

from bench.photolike import photo_like
from conftest import planned_jobs, snakemake, write_config
from digitnet.data.formats import read_idx_images, read_idx_labels
from digitnet.model import load_model

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


def test_the_playground_switches_between_the_network_before_and_after(tuned_run, small_data, browser):
    """The page's network after the switch is the tuned one to float rounding, and switching back
    restores the first: the same test digits are read by NumPy and by the page's JavaScript."""
    X = read_idx_images(small_data / "t10k-images-idx3-ubyte.gz")[:20].reshape(20, 784).astype(np.float32) / 255
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((tuned_run / "report.html").as_uri(), wait_until="load")
    options = page.locator("#network-select option")
    assert options.all_inner_texts() == ["mlp128, trained above", "mlp128-tuned, after learning your handwriting"]
    read = "xs => xs.map(x => digitnet.predict(x))"
    expected = {}
    for choice, weights in [("network-tuned", f"{TUNED}/weights.npz"), ("network", "results/models/mnist/mlp128/weights.npz")]:
        page.select_option("#network-select", choice)
        shown = np.array(page.evaluate(read, X.tolist()))
        expected[choice] = load_model(tuned_run / weights).predict_proba(X)
        assert np.abs(shown - expected[choice]).max() < 1e-5
    assert np.abs(expected["network-tuned"] - expected["network"]).max() > 1e-3  # two networks, told apart
    assert errors == []
    page.close()
