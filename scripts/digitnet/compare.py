"""Named models compared side by side: their settings, and one table row per trained model.

config.yaml's ``model:`` and ``train:`` describe the featured model, the one every figure
follows; ``compare.name`` is its name in the comparison. Each entry of ``compare.models``
starts from those settings and changes only the keys it lists::

    compare:
      name: mlp128
      datasets: [mnist, fashion-mnist]
      models:
        - name: mlp800
          model: {hidden: [800]}

Each model is trained and tested once per data set (its own ``datasets``, else the
featured ``dataset`` and those in ``compare.datasets``), each pair in its own
folder ``results/models/<dataset>/<name>/``, so adding an entry trains only that model.
"""

import copy
import json
from pathlib import Path

from digitnet.benchmarks import read_benchmark
from digitnet.errors import ConfigError


def merged(base: dict, changes: dict) -> dict:
    """``base`` with ``changes`` laid over it, key by key at every depth (neither is modified).

    A dict in ``changes`` merges into the dict in ``base``; anything else (a number, a
    list such as ``hidden: [800]``) replaces the value.
    """
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def flat_changes(changes: dict, prefix: str = "") -> list[str]:
    """A model entry's changes as ``key=value`` lines: {"model": {"hidden": [800]}} -> ["model.hidden=[800]"]."""
    lines = []
    for key, value in changes.items():
        if isinstance(value, dict):
            lines += flat_changes(value, f"{prefix}{key}.")
        else:
            lines.append(f"{prefix}{key}={json.dumps(value)}")
    return lines


def named_models(config: dict) -> dict[str, dict]:
    """{name: {"model", "train", "datasets", "changes"}} for every compared model, the featured one first.

    ``config`` has its schema defaults filled in; ``changes`` lists what an entry changes.
    Raises ConfigError when two models share a name.
    """
    compare = config["compare"]
    datasets = list(dict.fromkeys([config["dataset"], *(compare["datasets"] or [])]))
    models = {compare["name"]: {"model": config["model"], "train": config["train"], "datasets": datasets, "changes": []}}
    for entry in compare["models"]:
        name = entry["name"]
        if name in models:
            raise ConfigError(f"compare.models: the name {name!r} is used twice (the featured model is {compare['name']!r})")
        changes = {key: entry[key] for key in ("model", "train") if key in entry}
        models[name] = {
            "model": merged(config["model"], entry.get("model", {})),
            "train": merged(config["train"], entry.get("train", {})),
            "datasets": list(dict.fromkeys(entry.get("datasets") or datasets)),
            "changes": flat_changes(changes),
        }
    return models


def comparison_row(dataset: str, name: str, metrics_path, meta_path, benchmark_path, changes: list[str]) -> dict:
    """One row of the comparison table from a trained model's files.

    Test accuracy comes from evaluate's metrics, the parameter count and recorded command
    from train's model.json, and the training time and peak memory from train's
    ``benchmark:`` file (wall-clock seconds ``s`` and ``max_rss`` in MB).
    """
    metrics = json.loads(Path(metrics_path).read_text())
    meta = json.loads(Path(meta_path).read_text())
    training = read_benchmark(benchmark_path)
    return {
        "dataset": dataset,
        "model": name,
        "test_accuracy": metrics["test_accuracy"],
        "mistakes": metrics["mistakes"],
        "test_images": metrics["test_images"],
        "parameters": meta["architecture"]["parameters"],
        "architecture": meta["architecture"]["summary"],
        "epochs": meta["hyper_parameters"]["train"]["epochs"],
        "train_seconds": training["seconds"],
        "max_rss_mb": training["max_rss_mb"],
        "command": meta.get("command"),
        "changes": changes,
    }
