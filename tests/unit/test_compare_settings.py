"""The compared models' settings: each entry is the featured settings with only its own changes."""

import pytest

from digitnet.compare import flat_changes, merged, named_models
from digitnet.errors import ConfigError

BASE = {
    "dataset": "mnist",
    "model": {"hidden": [128], "dropout": 0.0, "layers": None},
    "train": {"epochs": 30, "lr": 0.2, "augment": {"enabled": False, "shift": 2.0}},
    "compare": {"name": "mlp128", "datasets": None, "models": []},
}


def with_models(*models, datasets=None) -> dict:
    return {**BASE, "compare": {**BASE["compare"], "models": list(models), "datasets": datasets}}


def test_merging_changes_only_the_keys_given_at_any_depth_and_replaces_lists():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 3}
    result = merged(base, {"a": {"c": [9]}})
    assert result == {"a": {"b": 1, "c": [9]}, "d": 3}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 3}  # untouched


def test_changes_read_as_dotted_keys():
    assert flat_changes({"model": {"hidden": [800]}, "train": {"augment": {"enabled": True}}}) == [
        "model.hidden=[800]",
        "train.augment.enabled=true",
    ]


def test_the_featured_model_comes_first_with_its_settings_unchanged():
    models = named_models(with_models({"name": "mlp800", "model": {"hidden": [800]}}))
    assert list(models) == ["mlp128", "mlp800"]
    assert models["mlp128"] == {"model": BASE["model"], "train": BASE["train"], "datasets": ["mnist"], "changes": []}
    assert models["mlp800"]["model"] == {**BASE["model"], "hidden": [800]}
    assert models["mlp800"]["train"] == BASE["train"]
    assert models["mlp800"]["changes"] == ["model.hidden=[800]"]


def test_a_model_trains_on_the_featured_data_set_and_the_listed_ones_unless_it_names_its_own():
    config = with_models(
        {"name": "aug", "train": {"augment": {"enabled": True}}},
        {"name": "fashion-only", "datasets": ["fashion-mnist"]},
        datasets=["fashion-mnist", "mnist"],
    )
    models = named_models(config)
    assert models["mlp128"]["datasets"] == ["mnist", "fashion-mnist"]
    assert models["aug"]["datasets"] == ["mnist", "fashion-mnist"]
    assert models["aug"]["train"]["augment"] == {"enabled": True, "shift": 2.0}
    assert models["fashion-only"]["datasets"] == ["fashion-mnist"]


def test_a_name_used_twice_is_refused():
    with pytest.raises(ConfigError, match="the name 'mlp128' is used twice"):
        named_models(with_models({"name": "mlp128"}))
    with pytest.raises(ConfigError, match="the name 'x' is used twice"):
        named_models(with_models({"name": "x"}, {"name": "x"}))


def test_a_model_named_in_config_yaml_and_in_a_ready_made_config_is_the_same_model():
    """A ready-made config (workflow/configs/) replaces config.yaml's list of compared models. A
    model it names as config.yaml does (the reading model, cnn16-aug3, in reading-models.yaml) must
    be the same settings, or both would train into one folder, results/models/<dataset>/<name>/,
    and each run with the other config would retrain it."""
    from pathlib import Path

    from digitnet.configcheck import read_yaml

    repo = Path(__file__).resolve().parents[2]
    own = {entry["name"]: entry for entry in read_yaml(repo / "config.yaml")["compare"]["models"]}
    shared = 0
    for path in sorted((repo / "workflow" / "configs").glob("*.yaml")):
        for entry in (read_yaml(path) or {}).get("compare", {}).get("models") or []:
            if entry["name"] in own:
                shared += 1
                assert entry == own[entry["name"]], f"{path.name}: {entry['name']} differs from config.yaml's"
    assert shared >= 1  # reading-models.yaml names the reading model
