# Helpers shared by the rules: config validation, library inputs, where the raw data is.

import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

ROOT = Path(workflow.main_snakefile).parent
sys.path.insert(0, str(ROOT / "scripts"))

from digitnet.configcheck import config_problems
from digitnet.data.download import MNIST_SHA256
from digitnet.data.sources import IDX_STEMS, find_files
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
        return "idx", {
            role: f"resources/mnist/{stems[0]}.gz" for role, stems in IDX_STEMS.items()
        }
    try:
        fmt, files = find_files(config["data_dir"], config["data"]["format"])
    except DataError as error:
        raise WorkflowError(str(error))
    return fmt, {role: str(path) for role, path in files.items()}


RAW_FORMAT, RAW_FILES = find_raw_data()


FIGURE_RULES = [
    "samples",
    "architecture",
    "forward",
    "backward",
    "update",
    "predictions",
    "curves",
    "confusion",
    "mistakes",
    "filters",
    "saliency",
]


def rule_benchmarks(wildcards):
    """The benchmark files of every step before the report, for its time-and-memory table."""
    steps = ["prepare_data", "train", "evaluate", "trace_step", "explain_step"]
    steps += [f"plot_{name}" for name in FIGURE_RULES]
    files = [f"benchmarks/{step}.tsv" for step in steps]
    if config["data_dir"] is None:
        files += [f"benchmarks/download_mnist/{name}.tsv" for name in MNIST_SHA256]
    return files
