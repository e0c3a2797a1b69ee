"""Two regenerations of the same workflow and config give the same files, byte for byte.

Only what records a measured time or memory may differ (listed once, in regeneration.py).
"""

import shutil
from pathlib import Path

import pytest
from regeneration import MEASURED_FIELDS, differences, digests

from conftest import snakemake

# 2023-11-14 22:13:20 UTC, as reproducible builds pass a commit's date.
SOURCE_DATE_EPOCH = "1700000000"
# What a regeneration writes; everything else (the workflow, its config, the data) is kept.
GENERATED = ["results", "logs", "benchmarks", "report.html", ".snakemake"]


@pytest.fixture(scope="module")
def regenerated(finished_run, tmp_path_factory) -> Path:
    """A second copy of the finished run, its outputs deleted and made again from scratch.

    Same workflow, config, data and thread count; the report's date comes from SOURCE_DATE_EPOCH.
    """
    workdir = tmp_path_factory.mktemp("regenerated") / "digitnet"
    shutil.copytree(finished_run, workdir, symlinks=True)
    for name in GENERATED:
        path = workdir / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        snakemake(workdir)
    return workdir


def test_a_regeneration_gives_the_same_results_except_measured_times_and_memory(finished_run, regenerated):
    assert len(digests(regenerated)) > 40, "the comparison should cover every result file"
    assert differences(finished_run, regenerated) == []


def test_the_comparison_catches_a_changed_result_but_not_a_changed_time(regenerated, tmp_path):
    changed = tmp_path / "digitnet"
    shutil.copytree(regenerated, changed, symlinks=True)
    metrics = changed / "results/models/mnist/mlp128/metrics.json"
    metrics.write_text(metrics.read_text().replace('"test_accuracy": 0.', '"test_accuracy": 1.', 1))
    model = changed / "results/models/mnist/mlp128/model.json"
    model.write_text(model.read_text().replace('"train_seconds": ', '"train_seconds": 1', 1))
    report = changed / "report.html"
    report.write_text(report.read_text().replace("Generated 2023", "Generated 2024"))
    assert "train_seconds" in MEASURED_FIELDS
    assert differences(regenerated, changed) == ["results/models/mnist/mlp128/metrics.json"]


def test_the_weights_are_identical_byte_for_byte(finished_run, regenerated):
    weights = "results/models/mnist/mlp128/weights.npz"
    assert (finished_run / weights).read_bytes() == (regenerated / weights).read_bytes()


def test_the_report_takes_its_generation_time_from_source_date_epoch(regenerated):
    assert "Generated 2023-11-14 22:13 UTC" in (regenerated / "report.html").read_text()


def test_the_report_says_which_versions_made_it_and_that_a_copy_has_no_commit(regenerated):
    report = (regenerated / "report.html").read_text()
    assert "Made from a copy outside a git checkout" in report
    for package in ("python", "numpy", "pandas", "matplotlib", "pillow", "snakemake", "jinja2"):
        assert f"{package} " in report.split("Made from", 1)[1].split("</p>", 1)[0]
