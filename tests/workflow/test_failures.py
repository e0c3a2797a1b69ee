"""What a user sees when something is wrong: one clear line, and nothing half-written left behind."""

import gzip
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import FEATURED, SMALL_CONFIG, copy_workflow, planned_jobs, snakemake, write_config
from data_helpers import kaggle_frame, read_real

MNIST = Path(os.environ.get("DIGITNET_MNIST_DIR", Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"))


@pytest.fixture
def workdir(tmp_path):
    return copy_workflow(tmp_path / "digitnet")


def test_config_typo_is_reported_before_any_job_runs(workdir, small_data):
    write_config(workdir, {"data_dir": str(small_data), "train": {"epoch": 3}})
    result = snakemake(workdir, check=False)
    assert result.returncode != 0
    assert "train: Additional properties are not allowed ('epoch' was unexpected)" in result.stderr
    assert "allowed keys here:" in result.stderr and "epochs" in result.stderr
    assert not (workdir / "results").exists()


def test_config_wrong_type_names_the_key(workdir, small_data):
    write_config(workdir, {"data_dir": str(small_data), "model": {"hidden": "128"}, "train": {"lr": "fast"}})
    result = snakemake(workdir, check=False)
    assert result.returncode != 0
    assert "model.hidden: '128' is not of type 'array'" in result.stderr
    assert "train.lr: 'fast' is not of type 'number'" in result.stderr


def test_a_compared_models_bad_setting_names_the_model_and_the_key(workdir, small_data):
    models = [{"name": "wide", "model": {"hiden": [800]}}, {"name": "fast", "train": {"lr": -1}}]
    write_config(workdir, {"data_dir": str(small_data), "compare": {"models": models}})
    result = snakemake(workdir, check=False)
    assert result.returncode != 0
    assert "compare.models[wide].model: Additional properties are not allowed ('hiden' was unexpected)" in result.stderr
    assert "compare.models[fast].train.lr: -1 is less than or equal to the minimum of 0" in result.stderr
    assert not (workdir / "results").exists()


def test_two_compared_models_with_one_name_are_refused(workdir, small_data):
    write_config(workdir, {"data_dir": str(small_data), "compare": {"name": "mlp128", "models": [{"name": "mlp128"}]}})
    result = snakemake(workdir, check=False)
    assert result.returncode != 0
    assert "compare.models: the name 'mlp128' is used twice (the featured model is 'mlp128')" in result.stderr


def test_missing_data_folder_says_how_to_fix_it(workdir, tmp_path):
    write_config(workdir, {"data_dir": str(tmp_path / "nowhere")})
    result = snakemake(workdir, check=False)
    assert result.returncode != 0
    assert "nowhere: data folder not found (set data_dir in config.yaml" in result.stderr


def test_corrupt_data_file_fails_with_one_line_in_terminal_and_log_and_no_partial_output(workdir, small_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(small_data, data)
    labels = data / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(gzip.compress(gzip.decompress(labels.read_bytes())[:-10]))
    write_config(workdir, {**SMALL_CONFIG, "data_dir": str(data)})
    result = snakemake(workdir, check=False)
    assert result.returncode != 0
    expected = f"error: {labels}: truncated: the header announces shape (3000,) (3008 bytes) but the file has 2998 bytes"
    assert expected in result.stderr
    assert expected in (workdir / "logs/prepare_data/mnist.log").read_text()
    # No prepared data was left behind (the custom images, independent of MNIST, may be done).
    assert not [p for p in (workdir / "results/data").rglob("*") if p.is_file()]
    assert "Traceback" not in result.stderr


def test_diverging_training_stops_with_the_likely_cause_and_no_weights(workdir, small_data):
    write_config(workdir, {**SMALL_CONFIG, "data_dir": str(small_data), "train": {"epochs": 2, "lr": 1.0e6}})
    result = snakemake(workdir, check=False)
    assert result.returncode != 0
    assert "error: training diverged: the loss became" in result.stderr
    assert "the learning rate is probably too high: lower train.lr in config.yaml" in result.stderr
    assert "training diverged" in (workdir / "logs/train/mnist/mlp128.log").read_text()
    assert not [p for p in (workdir / FEATURED).rglob("*") if p.is_file()]
    assert "Traceback" not in result.stderr


def assert_one_line_and_no_traceback(result, expected: str) -> None:
    """The run failed, ``expected`` is in the terminal output on a line of its own making, and no traceback is."""
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in output, output[-3000:]
    assert "Traceback" not in output


def assert_nothing_prepared_or_trained(workdir) -> None:
    assert not [p for p in (workdir / "results/data").rglob("*") if p.is_file()]
    assert not (workdir / "results/models").exists()


def test_a_bad_value_from_the_command_line_names_the_option_it_came_from(workdir, small_data):
    write_config(workdir, {"data_dir": str(small_data), "train": {"lr": "fast"}})
    result = snakemake(workdir, "--config", "dataset=emnist", check=False)
    assert_one_line_and_no_traceback(result, "the configuration is not valid:")
    assert "dataset: 'emnist' is not one of ['mnist', 'fashion-mnist'] (from --config)" in result.stderr
    assert "train.lr: 'fast' is not of type 'number' (from --configfile test-config.yaml)" in result.stderr
    assert "config.yaml is not valid" not in result.stderr
    assert 'File "' not in result.stderr
    assert not (workdir / "results").exists()


def test_a_test_digit_beyond_the_test_set_stops_before_any_training(workdir, small_data):
    write_config(workdir, {**SMALL_CONFIG, "data_dir": str(small_data), "figures": {"digit": 1000}})
    result = snakemake(workdir, check=False)
    assert_one_line_and_no_traceback(
        result,
        "error: figures.digit: 1000 is out of range, as the test set has 1000 images: "
        "set figures.digit to a number from 0 to 999 in config.yaml",
    )
    assert_nothing_prepared_or_trained(workdir)


def test_a_test_digit_changed_after_the_data_was_prepared_is_named_too(run_copy, small_data):
    write_config(run_copy, {**SMALL_CONFIG, "data_dir": str(small_data), "figures": {"digit": 5000}})
    result = snakemake(run_copy, check=False)
    assert_one_line_and_no_traceback(result, "error: figures.digit: 5000 is out of range, as the test set has 1000 images")
    # Nothing was accepted as made with the bad digit: the steps that read it are still to run.
    assert {"trace_step", "plot_predictions", "plot_saliency"} & planned_jobs(run_copy)


def test_a_kaggle_file_too_small_for_the_split_names_the_keys_and_the_range(workdir, small_data, tmp_path):
    data = tmp_path / "kaggle"
    data.mkdir()
    x, y = read_real(small_data, "train", 300)
    kaggle_frame(x, y).to_csv(data / "train.csv", index=False)
    write_config(workdir, {"data_dir": str(data), "split": {"test_size": 200, "validation_size": 100}})
    result = snakemake(workdir, check=False)
    assert_one_line_and_no_traceback(
        result,
        "error: split.test_size (200) + split.validation_size (100) leave no training images out of the 300 "
        "in a file without a test set: lower them in config.yaml so that they add up to at most 299",
    )
    assert_nothing_prepared_or_trained(workdir)


def test_a_truncated_intermediate_is_named_with_how_to_rebuild_it(run_copy):
    test_file = run_copy / "results/data/mnist/test.npz"
    test_file.write_bytes(test_file.read_bytes()[:5000])
    # Run as far as the evaluation, so that the step reading the damaged file is the evaluation
    # (asked for everything, whichever of its several readers the scheduler starts first fails).
    result = snakemake(run_copy, "--until", "evaluate", check=False)
    assert_one_line_and_no_traceback(
        result,
        "error: results/data/mnist/test.npz: damaged or not a file digitnet wrote (BadZipFile: File is not a zip file); "
        "the workflow made this file: rebuild it and what follows by adding "
        "--forcerun results/data/mnist/test.npz to the snakemake command",
    )
    assert not (run_copy / FEATURED / "metrics.json").exists()
    assert {"prepare_data", "train", "report"} <= planned_jobs(run_copy, "--forcerun", "results/data/mnist/test.npz")


def test_a_damaged_json_read_inside_the_library_is_named_too(run_copy):
    (run_copy / FEATURED / "metrics.json").write_text('{"test_accuracy": 0.9')
    result = snakemake(run_copy, check=False)
    assert_one_line_and_no_traceback(result, f"error: {FEATURED}/metrics.json: not valid JSON (")
    assert not (run_copy / "results/comparison.json").exists()


def test_a_foreign_weights_file_is_refused_unread(run_copy):
    weights = run_copy / FEATURED / "weights.npz"
    np.savez(weights, spec=np.array("[]"), payload=np.array([{"run": "code"}], dtype=object))
    result = snakemake(run_copy, check=False)
    assert_one_line_and_no_traceback(
        result, f"error: {FEATURED}/weights.npz: not a digitnet model, refused unread: it holds pickled Python objects"
    )


def test_an_unexpected_failure_prints_one_line_and_its_traceback_once_in_the_log(run_copy):
    metrics = run_copy / FEATURED / "metrics.json"
    metrics.write_text(json.dumps({"test_accuracy": 0.9}))
    result = snakemake(run_copy, "--until", "plot_confusion", check=False)
    log = "logs/plot_confusion/mnist/mlp128.log"
    assert_one_line_and_no_traceback(
        result, f"error: unexpected failure in step plot_confusion (KeyError: 'confusion_matrix'); the traceback is in {log}"
    )
    assert (run_copy / log).read_text().count("Traceback") == 1
    assert not (run_copy / FEATURED / "confusion_matrix.png").exists()


def add_photo(folder, name: str, digit: int = 3) -> None:
    """A photo-like MNIST test digit saved under ``name`` (any characters) in ``folder``."""
    from bench.photolike import photo_like

    x, _ = read_real(MNIST, "t10k", digit + 1)
    folder.mkdir(parents=True, exist_ok=True)
    photo_like(x[digit] / 255, np.random.default_rng(digit)).save(folder / name, format="PNG")


def test_a_file_name_is_data_never_a_pattern(run_copy):
    """Braces would be Snakemake wildcards, $...$ matplotlib's math, % and backslashes format or
    escape codes: each image is read, drawn stage by stage and named as it is in the report."""
    names = ["brace{x}_2.png", "!a$^^$_3.png", "50% {wild}_4.png", "back\\slash_5.png", "ünï cödé_6.png"]
    folder = run_copy / "custom_digits"
    for name in names:
        add_photo(folder, name)
    result = snakemake(run_copy, check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    readings = json.loads((run_copy / "results/custom/readings.json").read_text())
    steps = json.loads((run_copy / "results/custom/steps/index.json").read_text())
    read = {image["file"] for image in readings["images"]}
    assert [name for name in names if name not in read or name not in steps] == []
    assert "Nothing to be done" in snakemake(run_copy, "--dry-run").stdout


def test_a_fifo_named_like_an_image_is_skipped_with_a_reason_not_read(run_copy):
    os.mkfifo(run_copy / "custom_digits" / "x_4.png")
    result = snakemake(run_copy, check=False)  # a FIFO that is read blocks: the test's timeout would fail it
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {r["file"]: r for r in json.loads((run_copy / "results/custom/readings.json").read_text())["images"]}
    assert rows["x_4.png"]["status"] == "error" and "not a regular file" in rows["x_4.png"]["error"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"folder": ""}, "custom_digits.folder: '' should be non-empty"),
        ({"extensions": []}, "custom_digits.extensions: [] should be non-empty"),
    ],
)
def test_an_empty_folder_or_extension_list_is_refused_before_any_job(workdir, small_data, setting, message):
    write_config(workdir, {**SMALL_CONFIG, "data_dir": str(small_data), "custom_digits": {**SMALL_CONFIG["custom_digits"], **setting}})
    result = snakemake(workdir, check=False)
    assert_one_line_and_no_traceback(result, message)
    assert not (workdir / "results").exists()


def test_a_bad_source_date_epoch_is_named_before_any_job_and_the_last_report_is_kept(run_copy):
    import subprocess
    import sys

    before = (run_copy / "report.html").read_bytes()
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "test-config.yaml", "--forcerun", "report"]
    result = subprocess.run(command, cwd=run_copy, capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "garbage"})
    assert_one_line_and_no_traceback(result, "error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970")
    assert (run_copy / "report.html").read_bytes() == before


def test_a_failing_report_step_keeps_the_last_good_report(run_copy):
    before = (run_copy / "report.html").read_bytes()
    (run_copy / "results/custom/summary.json").write_text("{")
    result = snakemake(run_copy, check=False)
    assert result.returncode != 0
    assert (run_copy / "report.html").read_bytes() == before


def test_a_step_with_a_folder_as_output_cleans_it_up_when_it_fails_and_the_rerun_continues(run_copy):
    images = run_copy / "results/custom/images.npz"
    good = images.read_bytes()
    images.write_bytes(good[:1000])
    result = snakemake(run_copy, "--forcerun", "plot_image_steps", check=False)
    assert_one_line_and_no_traceback(result, "error: results/custom/images.npz: damaged")
    assert "IsADirectoryError" not in result.stdout + result.stderr
    assert not (run_copy / "results/custom/steps").exists()
    images.write_bytes(good)
    again = snakemake(run_copy, check=False)
    assert again.returncode == 0, again.stderr[-3000:]
    assert (run_copy / "results/custom/steps/index.json").is_file()
