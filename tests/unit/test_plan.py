"""The workflow's plan, computed without Snakemake: the models, data, threads and library inputs of a config."""

import copy
from pathlib import Path

import pytest

from digitnet.configcheck import canonical, config_problems, fill_defaults, read_yaml
from digitnet.errors import ConfigError
from digitnet.plan import LibraryInputs, make_plan

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


def merged(base: dict, over: dict) -> dict:
    """Snakemake's layering of a --configfile over config.yaml: mappings merge, the rest replaces."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def plan_of(*configfiles: str, **changes):
    config = read_yaml(REPO / "config.yaml")
    for name in configfiles:
        config = merged(config, read_yaml(REPO / "workflow" / "configs" / name))
    config = merged(config, changes)
    config["custom_digits"]["folder"] = str(REPO / config["custom_digits"]["folder"])
    assert config_problems(config, SCHEMA) == []
    fill_defaults(config, SCHEMA)
    return make_plan(canonical(config), SCHEMA)


def test_the_default_config_trains_the_featured_network_and_the_reading_cnn_on_one_thread_each():
    plan = plan_of()
    assert list(plan.models) == ["mlp128", "cnn16-aug3"]
    assert plan.compared == [("mnist", "mlp128"), ("mnist", "cnn16-aug3")]
    assert plan.featured == "mlp128" and plan.reader == "cnn16-aug3"
    assert plan.threads == {"mlp128": 1, "cnn16-aug3": 1}
    assert plan.raw["mnist"][0] == "idx" and set(plan.raw) == {"mnist"}
    assert "photo-61_8.jpg" in plan.custom.images and plan.custom.labels["photo-61_8.jpg"] == "8"


def test_the_compare_config_trains_every_model_on_each_of_its_data_sets():
    plan = plan_of("compare.yaml")
    assert ("fashion-mnist", "mlp128") in plan.compared and ("mnist", "cnn") in plan.compared
    assert ("fashion-mnist", "mlp128-augment") not in plan.compared  # its own datasets: [mnist]
    assert set(plan.raw) == {"mnist", "fashion-mnist"}
    assert plan.threads["cnn"] == 2 and plan.threads["mlp128"] == 1


def test_the_cnn_config_trains_the_preset_on_two_threads():
    plan = plan_of("cnn.yaml")
    assert plan.threads[plan.featured] == 2


def test_a_reading_model_that_is_not_trained_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match=r"custom_digits.model: 'nowhere' is not a model trained on mnist; choose one of"):
        plan_of(custom_digits={"model": "nowhere"})


def test_fine_tuning_on_another_data_set_than_handwritten_digits_is_refused_in_one_line():
    with pytest.raises(ConfigError, match=r"^custom_digits.finetune: fine-tuning teaches handwritten digits, but the networks here learn fashion-mnist: set dataset: mnist, or finetune.enabled: false$"):
        plan_of(dataset="fashion-mnist", custom_digits={"model": None, "finetune": {"enabled": True}})


def test_a_compared_models_window_too_large_for_its_maps_names_the_model():
    model = {"layers": [{"type": "conv2d", "filters": 4, "kernel": 29}]}
    with pytest.raises(ConfigError, match=r"compare.models\[huge\].model.layers\[0\]"):
        plan_of(compare={"models": [{"name": "huge", "model": model}]})


def test_each_steps_library_inputs_follow_its_imports_to_the_end():
    inputs = LibraryInputs(REPO)
    train = inputs.of("train")
    assert "scripts/digitnet/nn/layers.py" in train and "scripts/digitnet/nn/__init__.py" in train
    assert "scripts/digitnet/viz/style.py" not in train
    reading = inputs.of("read_custom_digits")
    assert {"scripts/digitnet/preparations.py", "scripts/digitnet/image/page.py", "scripts/digitnet/rows.py"} <= set(reading)
