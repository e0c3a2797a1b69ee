"""What a user sees when something is wrong: one clear line, and nothing half-written left behind."""

import gzip
import shutil

import pytest

from conftest import FEATURED, SMALL_CONFIG, copy_workflow, snakemake, write_config


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
