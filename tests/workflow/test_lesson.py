"""The step-by-step lesson tells the truth for any network: the default, two hidden layers with
leaky ReLU, sigmoid, tanh and a small CNN, each run for real by Snakemake."""

from pathlib import Path

import pytest
from lesson_checks import check_names_only, check_update_is_the_optimizers, check_worked_numbers
from test_figures import check_png

from conftest import SMALL_CONFIG, copy_workflow, snakemake, write_config
from digitnet.trace import load_trace

LESSON = [
    "results/explain/explain.md",
    "results/figures/forward.png",
    "results/figures/backward.png",
    "results/figures/weight_update.png",
]


@pytest.fixture(scope="session")
def activation_runs(small_data, tmp_path_factory) -> dict[str, Path]:
    """Runs of two-hidden-layer networks with sigmoid and with tanh, as far as the lesson's files."""
    runs = {}
    for activation in ("sigmoid", "tanh"):
        workdir = copy_workflow(tmp_path_factory.mktemp(activation) / "digitnet")
        write_config(
            workdir, {**SMALL_CONFIG, "data_dir": str(small_data), "model": {"hidden": [32, 16], "activation": activation}}
        )
        snakemake(workdir, "--until", "explain_step", "plot_step")
        runs[activation] = workdir
    return runs


@pytest.fixture(params=["default", "two_layers", "sigmoid", "tanh", "cnn"])
def lesson(request) -> tuple[Path, str]:
    """(a finished run, the activation its config uses)."""
    if request.param in ("sigmoid", "tanh"):
        return request.getfixturevalue("activation_runs")[request.param], request.param
    fixture, activation = {
        "default": ("finished_run", "relu"),
        "two_layers": ("two_layer_run", "leaky_relu"),
        "cnn": ("cnn_run", "relu"),
    }[request.param]
    return request.getfixturevalue(fixture), activation


def test_the_lesson_names_the_activation_in_use_and_quotes_the_trace(lesson):
    workdir, activation = lesson
    text = (workdir / LESSON[0]).read_text()
    trace = load_trace(workdir / "results/trace/step.npz")
    check_names_only(text, activation)
    check_worked_numbers(text, trace)
    check_update_is_the_optimizers(trace)
    for figure in LESSON[1:]:
        check_png(workdir / figure)


def test_a_convolutional_lesson_follows_every_convolution_and_pooling(cnn_run):
    text = (cnn_run / LESSON[0]).read_text()
    for heading in [
        "Layer 1: convolution, then relu",
        "Max pool 2x2",
        "Flatten",
        "Backward through max pool 2x2",
        "Backward through layer 1",
    ]:
        assert heading in text
    report = (cnn_run / "report.html").read_text()
    assert "The activation relu keeps positive values and sets negative ones to 0" in report
    assert "each filter beside its gradient" in report
