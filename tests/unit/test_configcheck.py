"""Config checks the schema cannot make: where a value came from, and windows too large for the images."""

from digitnet.configcheck import source_note, value_source
from digitnet.model import stack_problems

SOURCES = [
    ("config.yaml", {"train": {"lr": 0.2, "epochs": 30}, "compare": {"models": []}}),
    ("--configfile my.yaml", {"train": {"lr": "fast"}}),
    ("--config", {"compare": {"models": [{"name": "a"}]}}),
]


def test_a_value_is_traced_to_the_last_layer_that_sets_it():
    assert value_source(SOURCES, ["train", "lr"]) == "--configfile my.yaml"
    assert value_source(SOURCES, ["train", "epochs"]) == "config.yaml"
    assert value_source(SOURCES, ["compare", "models", 0, "name"]) == "--config"
    assert value_source(SOURCES, ["figures", "digit"]) is None


def test_only_values_from_options_get_a_note():
    assert source_note(SOURCES, ["train", "lr"]) == " (from --configfile my.yaml)"
    assert source_note(SOURCES, ["train", "epochs"]) == ""
    assert source_note(SOURCES, ["figures", "digit"]) == ""


def test_the_cnn_preset_and_a_fitting_stack_have_no_problems():
    from digitnet.model import PRESETS

    assert stack_problems(PRESETS["cnn"], "model.layers") == []
    assert stack_problems([{"type": "conv2d", "filters": 2, "kernel": 28}], "model.layers") == []


def test_a_window_larger_than_the_maps_left_is_named_with_the_largest_that_fits():
    stack = [
        {"type": "conv2d", "filters": 4, "kernel": 5},  # 28 -> 24
        {"type": "maxpool2d", "size": 2},  # 24 -> 12
        {"type": "conv2d", "filters": 4, "kernel": 13, "padding": 0},  # does not fit 12
    ]
    assert stack_problems(stack, "model.layers") == [
        "model.layers[2]: a 13 x 13 conv2d window does not fit the 12 x 12 maps it gets (with padding 0): "
        "make it at most 12, or remove layers before it"
    ]
