"""Compared models: one training and evaluation job per model and data set, side by side in the report."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import planned_counts, snakemake, write_config

TWO_MODELS = [("mnist", "mlp128"), ("mnist", "mlp32-sgd")]
# What adding or changing one model runs: that model's own jobs, then the comparison and the report.
ONE_MODEL = {
    "train": 1,
    "evaluate": 1,
    "plot_curves": 1,
    "plot_confusion": 1,
    "compare_models": 1,
    "plot_comparison": 1,
    "report": 1,
    "publish_report": 1,
}


@pytest.fixture
def sweep_copy(sweep_run, tmp_path) -> Path:
    dest = tmp_path / "digitnet"
    shutil.copytree(sweep_run, dest, symlinks=True)
    return dest


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())


def test_each_model_is_trained_with_its_own_settings_in_its_own_folder(sweep_run):
    featured = read_json(sweep_run / "results/models/mnist/mlp128/model.json")
    other = read_json(sweep_run / "results/models/mnist/mlp32-sgd/model.json")
    assert featured["architecture"]["parameters"] == 784 * 128 + 128 + 128 * 10 + 10
    assert other["architecture"]["parameters"] == 784 * 32 + 32 + 32 * 10 + 10
    # The entry's changes, over the featured settings it did not change.
    assert other["hyper_parameters"]["train"] == {**featured["hyper_parameters"]["train"], "momentum": 0.0, "lr": 0.1}


def test_the_two_training_jobs_ran_at_the_same_time_on_two_cores(sweep_run):
    # Snakemake's own log of the run: both training jobs were started before either finished.
    first_run = min((sweep_run / ".snakemake/log").glob("*.snakemake.log"))
    text = first_run.read_text()
    starts = [i for i, line in enumerate(text.splitlines()) if line.endswith("rule train:")]
    ends = [i for i, line in enumerate(text.splitlines()) if line.endswith("(Rule: train)")]
    assert len(starts) == len(ends) == 2
    assert starts[1] < ends[0], text


def test_the_comparison_table_holds_each_models_measured_numbers(sweep_run):
    table = pd.read_csv(sweep_run / "results/compare/models.csv")
    assert list(zip(table["dataset"], table["model"], strict=True)) == TWO_MODELS
    for row in table.itertuples():
        folder = sweep_run / "results/models" / row.dataset / row.model
        assert row.test_accuracy == read_json(folder / "metrics.json")["test_accuracy"]
        assert row.parameters == read_json(folder / "model.json")["architecture"]["parameters"]
        benchmark = pd.read_csv(sweep_run / f"benchmarks/train/{row.dataset}/{row.model}.tsv", sep="\t")
        assert row.train_seconds == pytest.approx(benchmark["s"].iloc[-1])
        assert row.max_rss_mb == pytest.approx(benchmark["max_rss"].iloc[-1])
        assert row.command == "snakemake --cores 2 --configfile test-config.yaml --set-threads train=1 --until train"
    changes = table.set_index("model").loc["mlp32-sgd", "changes"].split("; ")
    # Numbers in their canonical form (configcheck.canonical): the 0.0 written in the config reads 0.
    assert sorted(changes) == ["model.hidden=[32]", "train.lr=0.1", "train.momentum=0"]


def test_the_report_compares_both_models_and_keeps_a_section_for_each(sweep_run):
    report = (sweep_run / "report.html").read_text()
    table = pd.read_csv(sweep_run / "results/compare/models.csv")
    assert 'id="comparison"' in report
    for row in table.itertuples():
        assert f'id="model-{row.dataset}-{row.model}"' in report
        assert f"{100 * row.test_accuracy:.2f}%" in report
    assert "<code>model.hidden=[32]</code>" in report


def test_adding_a_model_trains_only_that_model(sweep_copy):
    config = yaml.safe_load((sweep_copy / "test-config.yaml").read_text())
    config["compare"]["models"].append({"name": "mlp64", "model": {"hidden": [64]}})
    write_config(sweep_copy, config)
    assert planned_counts(sweep_copy) == ONE_MODEL


def test_changing_one_models_setting_retrains_only_that_model(sweep_copy):
    config = yaml.safe_load((sweep_copy / "test-config.yaml").read_text())
    config["compare"]["models"][0]["train"]["lr"] = 0.05
    write_config(sweep_copy, config)
    assert planned_counts(sweep_copy) == ONE_MODEL


def test_removing_a_model_only_redraws_the_comparison(sweep_copy):
    config = yaml.safe_load((sweep_copy / "test-config.yaml").read_text())
    config["compare"]["models"] = []
    write_config(sweep_copy, config)
    assert planned_counts(sweep_copy) == {"compare_models": 1, "plot_comparison": 1, "report": 1, "publish_report": 1}


def test_a_second_data_set_trains_every_model_on_it_too(sweep_copy):
    config = yaml.safe_load((sweep_copy / "test-config.yaml").read_text())
    config["compare"]["datasets"] = ["mnist", "fashion-mnist"]
    write_config(sweep_copy, config)
    planned = planned_counts(sweep_copy)
    assert planned["prepare_data"] == 1 and planned["train"] == 2 and planned["evaluate"] == 2


@pytest.mark.parametrize(
    "how",
    [
        ["--configfile", "test-config.yaml", "same.yaml"],  # a second config file repeating values already in force
        ["--config", "train={epochs: 2, batch_size: 128}"],  # the same on the command line
        ["--config", "train={epochs: 2.0}"],  # the same number written as a float
    ],
)
def test_a_setting_repeated_at_its_value_reruns_nothing_however_it_arrives(sweep_copy, how):
    # Written in another key order than test-config.yaml holds them (epochs first there).
    (sweep_copy / "same.yaml").write_text("train:\n  batch_size: 128\n  epochs: 2\nsplit: {validation_size: 500}\n")
    assert planned_counts(sweep_copy, *how) == {}


def test_the_featured_models_epochs_retrain_it_alone_not_a_model_with_epochs_of_its_own(sweep_copy):
    config = yaml.safe_load((sweep_copy / "test-config.yaml").read_text())
    config["compare"]["models"][0]["train"]["epochs"] = 2  # mlp32-sgd keeps 2 epochs whatever the featured model does
    write_config(sweep_copy, config)
    # Its settings are the same: only the comparison's list of what it changes is redrawn.
    assert planned_counts(sweep_copy) == {"compare_models": 1, "plot_comparison": 1, "report": 1, "publish_report": 1}
    snakemake(sweep_copy)
    counts = planned_counts(sweep_copy, "--config", "train={epochs: 3}")
    assert counts["train"] == 1 and counts["evaluate"] == 1
