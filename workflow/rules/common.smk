# Helpers shared by the rules: config validation, library inputs, where the raw data is.

import os
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

ROOT = Path(workflow.main_snakefile).parent
sys.path.insert(0, str(ROOT / "scripts"))

from digitnet.configcheck import config_problems
from digitnet.custom import label_from_name, read_labels_csv
from digitnet.data.download import CHECKSUMS
from digitnet.data.sources import IDX_STEMS, find_files, packaged_copy
from digitnet.errors import DataError

# Check config.yaml before any job runs, with one clear line per problem, then fill
# in the schema's defaults for keys left out.
SCHEMA = "workflow/schemas/config.schema.yaml"
_problems = config_problems(config, ROOT / SCHEMA)
if _problems:
    raise WorkflowError("config.yaml is not valid:\n  " + "\n  ".join(_problems))
validate(config, str(ROOT / SCHEMA), set_default=True)

NN_MODULES = [
    "nn/__init__",
    "nn/base",
    "nn/parameter",
    "nn/activations",
    "nn/layers",
    "nn/losses",
    "nn/init",
    "nn/optimizers",
    "nn/schedules",
]


MODEL = [*NN_MODULES, "nn/conv", "model"]
VIZ = ["viz/__init__", "viz/style"]


def lib(*modules):
    """The library files a step imports (plus the package basics every step uses).

    Snakemake cannot see Python imports, so these are declared as inputs: editing
    a module reruns exactly the rules whose steps import it.
    """
    names = ["__init__", "errors", "step", *modules]
    return [f"scripts/digitnet/{name}.py" for name in names]


def find_raw_data():
    """(format, {role: path}) of the raw data: the folder in data_dir, else the downloaded files."""
    if config["data_dir"] is None:
        dataset = config["dataset"]
        packaged = packaged_copy(dataset)
        if packaged is not None:
            fmt, files = find_files(packaged, "idx")
            return fmt, {role: str(path) for role, path in files.items()}
        return "idx", {
            role: f"resources/{dataset}/{stems[0]}.gz"
            for role, stems in IDX_STEMS.items()
        }
    try:
        fmt, files = find_files(config["data_dir"], config["data"]["format"])
    except DataError as error:
        raise WorkflowError(str(error))
    return fmt, {role: str(path) for role, path in files.items()}


RAW_FORMAT, RAW_FILES = find_raw_data()


def find_custom_images():
    """(readable image names, unreadable names, {name: label}) in custom_digits.folder.

    Files with an image extension are taken; one that is not a regular readable file
    (a broken link, a folder) gets an error row in the report instead of a job. Labels
    come from labels_csv when it lists the file, else from a digit ending the file name.
    """
    settings = config["custom_digits"]
    folder = Path(settings["folder"])
    if not folder.is_dir():
        return [], [], {}
    extensions = {e.lower() for e in settings["extensions"]}
    candidates = sorted(p for p in folder.iterdir() if p.suffix.lower() in extensions)
    readable = [p.name for p in candidates if p.is_file() and os.access(p, os.R_OK)]
    unreadable = [p.name for p in candidates if p.name not in readable]
    labels = {name: label_from_name(name) for name in readable}
    labels_csv = folder / settings["labels_csv"] if settings["labels_csv"] else None
    if labels_csv is not None and labels_csv.is_file():
        try:
            labels.update(
                {k: v for k, v in read_labels_csv(labels_csv).items() if k in labels}
            )
        except DataError as error:
            raise WorkflowError(str(error))
    return readable, unreadable, labels


CUSTOM_FOLDER = config["custom_digits"]["folder"]
CUSTOM_IMAGES, CUSTOM_UNREADABLE, CUSTOM_LABELS = find_custom_images()


def has_convolutions():
    """Whether config.yaml's model has convolution layers (the "cnn" preset, or a conv2d in its stack)."""
    layers = config["model"]["layers"]
    return layers == "cnn" or any(entry["type"] == "conv2d" for entry in layers or [])


# Every figure of the report, in reading order: its file name -> the rule that draws it.
FIGURE_RULES = {
    "data_samples": "plot_samples",
    "architecture": "plot_architecture",
    "forward": "plot_forward",
    "backward": "plot_backward",
    "weight_update": "plot_update",
    "training_curves": "plot_curves",
    "predictions": "plot_predictions",
    "confusion_matrix": "plot_confusion",
    "mistakes": "plot_mistakes",
    "filters": "plot_filters",
    "saliency": "plot_saliency",
}
if has_convolutions():
    FIGURE_RULES["feature_maps"] = "plot_feature_maps"


def rule_benchmarks(wildcards):
    """The benchmark files of every step before the report, for its time-and-memory table."""
    steps = [
        "prepare_data",
        "train",
        "evaluate",
        "trace_step",
        "explain_step",
        "export_network",
    ]
    steps += list(FIGURE_RULES.values())
    files = [f"benchmarks/{step}.tsv" for step in steps]
    downloads = [
        Path(path) for path in RAW_FILES.values() if path.startswith("resources")
    ]
    files += [
        f"benchmarks/download_mnist/{p.parent.name}_{p.name}.tsv" for p in downloads
    ]
    for step in ["preprocess_image", "predict_image", "plot_image_steps"]:
        files += [f"benchmarks/{step}/{name}.tsv" for name in CUSTOM_IMAGES]
    files.append("benchmarks/collect_predictions.tsv")
    return files
