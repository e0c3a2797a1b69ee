"""The workflow itself: lint, format, dry run, a real run, and exactly the right reruns."""

import json
import modulefinder
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import DATA as DATA_FOLDER
from conftest import FEATURED, REPO, copy_workflow, planned_jobs, snakemake, write_config
from data_helpers import SMALL_CNN
from digitnet.figures import report_figures

FIGURES_OF_THE_MODEL = {
    "plot_curves",
    "plot_network",
    "plot_saliency",
    "plot_confusion",
    "plot_predictions",
    "plot_mistakes",
    "plot_step",
}
# The custom images' predictions depend on the weights (their preparation, cached per image
# inside read_custom_digits, does not).
PREDICTIONS = {"read_custom_digits", "plot_image_steps", "collect_predictions"}
AFTER_TRAINING = (
    {"train", "evaluate", "trace_step", "explain_step", "export_network", "report", "publish_report"}
    | FIGURES_OF_THE_MODEL
    | PREDICTIONS
    | {"compare_models", "plot_comparison"}
)
DATA = {"prepare_data", "plot_samples", "plot_augmented"}
CUSTOM = PREDICTIONS


def test_snakemake_lint_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "snakemake", "--lint"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations, your workflow is in a good condition" in result.stdout + result.stderr


def test_snakefmt_check_passes():
    snakefmt = Path(sys.executable).parent / "snakefmt"
    result = subprocess.run([snakefmt, "--check", "Snakefile", "workflow"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dry_run_without_local_data_plans_the_downloads(tmp_path):
    workdir = copy_workflow(tmp_path / "digitnet")
    write_config(workdir, {})
    assert planned_jobs(workdir) == {"download_mnist"} | DATA | AFTER_TRAINING | CUSTOM


def test_real_run_writes_every_result_log_and_benchmark(finished_run):
    for path in [
        f"{DATA_FOLDER}/train.npz",
        f"{FEATURED}/weights.npz",
        f"{FEATURED}/model.json",
        f"{FEATURED}/history.csv",
        f"{FEATURED}/metrics.json",
        f"{FEATURED}/per_class.csv",
        f"{FEATURED}/confusion.csv",
        f"{FEATURED}/predictions.csv",
        f"{FEATURED}/training_curves.png",
        f"{FEATURED}/confusion_matrix.png",
        "results/compare/models.csv",
        "results/figures/comparison.png",
        "report.html",
    ]:
        assert (finished_run / path).stat().st_size > 0, path
    # A rule run once has logs/<rule>.log; one run per data set or model, logs/<rule>/<...>.log.
    once = ["trace_step", "explain_step", "report", "plot_samples", "plot_augmented", "compare_models", "plot_comparison"]
    per_model = ["train", "evaluate", "plot_curves", "plot_confusion"]
    jobs = [(rule, rule) for rule in once + sorted(FIGURES_OF_THE_MODEL - set(per_model))]
    jobs += [(rule, f"{rule}/mnist/mlp128") for rule in per_model] + [("prepare_data", "prepare_data/mnist")]
    for rule, name in jobs:
        assert (finished_run / "logs" / f"{name}.log").stat().st_size > 0, rule
        assert "max_rss" in (finished_run / "benchmarks" / f"{name}.tsv").read_text(), rule
    log = (finished_run / "logs/train/mnist/mlp128.log").read_text()
    assert "epoch 1/2" in log and "epoch 2/2" in log
    meta = json.loads((finished_run / FEATURED / "model.json").read_text())
    assert meta["architecture"]["summary"] == "Sequential(Dense(784->128), ReLU(), Dense(128->10))"
    assert meta["data"] == {**meta["data"], "train_images": 2500, "validation_images": 500}
    assert meta["command"].startswith("snakemake --cores 2 --configfile test-config.yaml")
    metrics = json.loads((finished_run / FEATURED / "metrics.json").read_text())
    assert metrics["test_images"] == 1000 and metrics["test_accuracy"] > 0.85
    report = (finished_run / "report.html").read_text()
    # The figures, each custom image's 28 x 28 input in the gallery, and the stage-by-stage
    # figures of the custom images that need a look.
    examples = [p for p in (REPO / "custom_digits").iterdir() if p.suffix in (".jpg", ".png")]
    drawn = json.loads((finished_run / "results/custom/steps/index.json").read_text())
    assert report.count("data:image/png;base64,") == len(report_figures(convolutional=False)) + len(examples) + len(drawn)
    assert f"{100 * metrics['test_accuracy']:.2f}%" in report


def test_second_run_does_nothing(run_copy):
    assert planned_jobs(run_copy) == set()


def test_changing_a_training_setting_reruns_training_and_after_but_not_preparation(run_copy):
    config = yaml.safe_load((run_copy / "test-config.yaml").read_text())
    config["train"]["epochs"] = 3
    write_config(run_copy, config)
    assert planned_jobs(run_copy) == AFTER_TRAINING


def test_changing_the_split_reruns_preparation_and_everything_after(run_copy):
    config = yaml.safe_load((run_copy / "test-config.yaml").read_text())
    config["split"]["validation_size"] = 400
    write_config(run_copy, config)
    assert planned_jobs(run_copy) == DATA | AFTER_TRAINING


def append_comment(path: Path) -> None:
    with open(path, "a") as f:
        f.write("\n# edited\n")


def test_editing_a_step_script_reruns_that_step_and_the_report(run_copy):
    append_comment(run_copy / "scripts/plot_curves.py")
    assert planned_jobs(run_copy) == {"plot_curves", "report", "publish_report"}


def test_editing_a_library_module_reruns_exactly_the_steps_that_import_it(run_copy):
    append_comment(run_copy / "scripts/digitnet/viz/confusion.py")
    assert planned_jobs(run_copy) == {"plot_confusion", "report", "publish_report"}


class DigitnetFinder(modulefinder.ModuleFinder):
    """Python's own import tracer, following digitnet's modules only (numpy and the rest are not scanned)."""

    def import_module(self, partname, fqname, parent):
        return super().import_module(partname, fqname, parent) if fqname.split(".")[0] == "digitnet" else None


def traced_imports(script: Path) -> set[str]:
    """The digitnet files that ``script`` imports, directly or through each other, as modulefinder sees them."""
    finder = DigitnetFinder(path=[str(REPO / "scripts")])
    finder.run_script(str(script))
    return {
        str(Path(module.__file__).relative_to(REPO))
        for name, module in finder.modules.items()
        if name.split(".")[0] == "digitnet"
    }


def test_every_step_declares_exactly_the_library_modules_its_script_imports(tmp_path):
    workdir = copy_workflow(tmp_path / "digitnet")
    (workdir / "test.csv").write_text("pixel0\n")
    # A convolutional model and a Kaggle test file, so that every rule has a job to plan.
    write_config(workdir, {"kaggle_test_csv": "test.csv", "model": {"layers": SMALL_CNN}})
    output = snakemake(workdir, "--dry-run").stdout
    declared = {
        rule: {path for path in inputs.split(", ") if path.startswith("scripts/digitnet/")}
        for rule, inputs in re.findall(r"^rule (\w+):\n(?:\s+input: (.*)$)?", output, re.MULTILINE)
    }
    rules = "".join(path.read_text() for path in sorted((REPO / "workflow/rules").glob("*.smk")))
    scripts = dict(re.findall(r'^rule (\w+):\n(?:[ \t].*\n)*?\s+"\.\./\.\./scripts/(\w+)\.py"', rules, re.MULTILINE))
    assert set(scripts) <= set(declared), f"steps not planned: {set(scripts) - set(declared)}"
    for rule, script in scripts.items():
        assert declared[rule] == traced_imports(REPO / "scripts" / f"{script}.py"), rule
    # Checked by hand: the Kaggle step reads test.csv with data/formats, which uses data/sources.
    assert "scripts/digitnet/data/sources.py" in declared["kaggle_submission"]


def test_editing_the_network_code_reruns_training_and_after(run_copy):
    append_comment(run_copy / "scripts/digitnet/nn/layers.py")
    assert planned_jobs(run_copy) == AFTER_TRAINING


def test_editing_the_report_template_reruns_only_the_report(run_copy):
    append_comment(run_copy / "report_templates/report.html.j2")
    assert planned_jobs(run_copy) == {"report", "publish_report"}


def test_fashion_mnist_comes_from_debians_package_when_it_is_installed(tmp_path):
    from digitnet.data.sources import PACKAGED

    folder = PACKAGED["fashion-mnist"]
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{folder} missing: .ci/run installs dataset-fashion-mnist")
        pytest.skip(f"{folder} missing: apt-get install dataset-fashion-mnist")
    workdir = copy_workflow(tmp_path / "digitnet")
    write_config(workdir, {"dataset": "fashion-mnist"})
    assert "download_mnist" not in planned_jobs(workdir)
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "results/data/fashion-mnist/train.npz", "-n", "--configfile", "test-config.yaml"],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    assert str(folder / "train-images-idx3-ubyte.gz") in result.stdout


def test_without_a_local_copy_each_data_set_is_downloaded_into_its_own_folder(tmp_path):
    workdir = copy_workflow(tmp_path / "digitnet")
    write_config(workdir, {"dataset": "mnist"})
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--configfile", "test-config.yaml"], cwd=workdir, capture_output=True, text=True
    )
    assert "resources/mnist/train-images-idx3-ubyte.gz" in result.stdout
