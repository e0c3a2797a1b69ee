# Helpers shared by the rules: config validation, library inputs, where the raw data is.

import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(workflow.main_snakefile).parent
sys.path.insert(0, str(ROOT / "scripts"))

from digitnet.configcheck import (
    canonical,
    config_problems,
    fill_defaults,
    from_command_line,
    invalid_header,
    read_yaml,
    schema_validator,
    source_date_problem,
    source_note,
)
from digitnet.folder import labelled_manifest, manifest, write_if_changed
from digitnet.data.classes import CLASS_NAMES
from digitnet.environment import set_job_environment
from digitnet.errors import ConfigError, DataError
from digitnet.figures import MODEL_FIGURES, figure_path, report_figures
from digitnet.plan import (
    LibraryInputs,
    dataset_pattern,
    download_names,
    has_convolutions,
    make_plan,
)

# Check the configuration before any job runs, with one clear line per problem that says
# where a bad value came from (config.yaml, a --configfile or --config), then fill in the
# schema's defaults for keys left out.
SCHEMA = "workflow/schemas/config.schema.yaml"


def config_sources():
    """The configuration's layers in the order Snakemake merged them: config.yaml, each
    --configfile, then --config."""
    settings = workflow.config_settings
    sources = [("config.yaml", read_yaml(ROOT / "config.yaml") or {})]
    for path in settings.configfiles:
        shown = os.path.relpath(path) if Path(path).is_relative_to(Path.cwd()) else path
        sources.append((f"--configfile {shown}", read_yaml(path) or {}))
    if settings.config:
        sources.append(("--config", dict(settings.config)))
    return sources


SOURCES = config_sources()

# The report is dated by SOURCE_DATE_EPOCH when it is set: checked now, not when the report is made.
if (problem := source_date_problem(os.environ)) is not None:
    print(f"error: {problem}", file=sys.stderr)
    raise SystemExit(1)


def stop(message):
    """End the run before any job with ``message`` alone: a user's mistake, so no traceback."""
    print(message, file=sys.stderr)
    raise SystemExit(1)


def stop_if(problems):
    """End the run before any job, listing each problem of the configuration on its own line."""
    if problems:
        stop(f"{invalid_header(problems, SOURCES)}:\n  " + "\n  ".join(problems))


# Numbers given on the command line (--config) arrive as strings: read them as the schema says.
SCHEMA_TREE = schema_validator(str(ROOT / SCHEMA)).schema
config.update(from_command_line(config, SCHEMA_TREE))
for entry in config.get("compare", {}).get("models") or []:
    for part in ("model", "train"):
        if isinstance(entry, dict) and isinstance(entry.get(part), dict):
            entry[part] = from_command_line(
                entry[part], SCHEMA_TREE["properties"][part]
            )
stop_if(config_problems(config, ROOT / SCHEMA, SOURCES))
fill_defaults(config, ROOT / SCHEMA)
# One form for the same settings, however they arrived: every rule's params are slices of it,
# and Snakemake reruns a rule whose params look different (configcheck.canonical).
config.update(canonical(config))

# Every decision the rules read, in one plain-Python plan (digitnet/plan.py, unit-tested): the
# models, the data, the custom folder, threads. A problem is one line per setting, naming where
# its value came from.
NOTES = {
    "compare.models": ["compare", "models"],
    "model.": ["model"],
    "custom_digits.folder": ["custom_digits", "folder"],
    "custom_digits.model": ["custom_digits", "model"],
}
try:
    PLAN = make_plan(config, ROOT / SCHEMA)
except ConfigError as error:
    stop_if(
        [
            line
            + next(
                (
                    source_note(SOURCES, path)
                    for key, path in NOTES.items()
                    if line.startswith(key)
                ),
                "",
            )
            for line in str(error).splitlines()
        ]
    )
except DataError as error:
    stop(f"error: {error}")

MODELS = PLAN.models
DATASET = PLAN.dataset
COMPARED = PLAN.compared
FEATURED = f"results/models/{DATASET}/{PLAN.featured}"
RAW = PLAN.raw


def featured(pattern, model=PLAN.featured):
    """A rule's output ``pattern`` (with {dataset}, and {model} if any) for the featured data
    set and ``model``: the featured model unless another is named."""
    return pattern.format(dataset=DATASET, model=model)


# What the featured data set's labels mean, for the figures (None: digits, shown as they are).
CLASS_NAMES_SHOWN = None if DATASET == "mnist" else CLASS_NAMES[DATASET]


wildcard_constraints:
    dataset=dataset_pattern(),
    model="|".join(re.escape(name) for name in MODELS),


# The C library's and OpenBLAS's settings for every job (digitnet/environment.py), read when
# each job's process starts.
set_job_environment()

# Each training job records the command that ran it, for the comparison table. It travels
# in the environment, not in params, so running with other options retrains nothing.
os.environ.setdefault("DIGITNET_COMMAND", shlex.join(["snakemake", *sys.argv[1:]]))

# Snakemake cannot see Python imports, so each step's library modules are declared as inputs:
# editing a module reruns exactly the rules whose steps import it (digitnet.plan.LibraryInputs).
LIBRARY = LibraryInputs(ROOT)


def lib(script):
    """The library files that ``scripts/<script>.py`` imports, directly or through each other."""
    return LIBRARY.of(script)


def raw_inputs(wildcards):
    """The raw files of one data set, by role, plus the library code that reads them."""
    return {
        **RAW[wildcards.dataset][1],
        "code": lib("prepare_data"),
    }


def compared_files(pattern):
    """One path per compared (data set, model) pair, from a pattern with {dataset} and {model}."""
    return [pattern.format(dataset=d, model=m) for d, m in COMPARED]


CUSTOM_FOLDER = config["custom_digits"]["folder"]
CUSTOM_SCAN = PLAN.custom
CUSTOM_IMAGES, CUSTOM_LABELS = CUSTOM_SCAN.images, CUSTOM_SCAN.labels
CUSTOM_UNREADABLE = list(CUSTOM_SCAN.unreadable)
CUSTOM_MODEL = PLAN.reader
# The reading model's weights: a trained model's, or those the finetune step tuned from one
# when custom_digits.finetune is on; either way in results/models/<dataset>/<model>[-tuned].
READER_WEIGHTS = f"results/models/{DATASET}/{CUSTOM_MODEL}/weights.npz"
TUNED = f"results/models/{DATASET}/{PLAN.tune_from}-tuned" if PLAN.tune_from else None
# The reading step's input: the folder's state in one file, rewritten only when it changes.
CUSTOM_MANIFEST = "results/custom/folder.json"
write_if_changed(CUSTOM_MANIFEST, manifest(CUSTOM_SCAN, CUSTOM_FOLDER))
# Fine-tuning's input: the labelled images and their labels alone (an unlabelled one teaches nothing).
LABELLED_MANIFEST = "results/custom/labelled.json"
if PLAN.tune_from:
    write_if_changed(LABELLED_MANIFEST, labelled_manifest(CUSTOM_SCAN, CUSTOM_FOLDER))


def train_threads(wildcards):
    """BLAS threads for training one model (digitnet.plan.train_threads)."""
    return PLAN.threads[wildcards.model]


# Every figure of the report, in reading order: its file name -> the rule that draws it
# (the one table in digitnet/figures.py).
FIGURE_RULES = report_figures(has_convolutions(config["model"]))


def rule_benchmarks(wildcards):
    """The benchmark files of every step before the report, for its time-and-memory table.

    A step run once per data set or model has one file per job; the report adds
    their times up.
    """
    steps = ["trace_step", "explain_step", "export_network", "compare_models"]
    # A rule that draws several figures is listed once.
    shared = [
        step for figure, step in FIGURE_RULES.items() if figure not in MODEL_FIGURES
    ]
    steps += list(dict.fromkeys(shared))
    files = [f"benchmarks/{step}.tsv" for step in steps]
    files += [f"benchmarks/prepare_data/{dataset}.tsv" for dataset in RAW]
    for step in ["train", "evaluate", "plot_curves", "plot_confusion"]:
        files += compared_files(f"benchmarks/{step}/{{dataset}}/{{model}}.tsv")
    for fmt, raw_files in RAW.values():
        for path in map(Path, raw_files.values()):
            if path.parts[0] == "resources":
                files.append(
                    f"benchmarks/download_mnist/{path.parent.name}_{path.name}.tsv"
                )
    for step in ["read_custom_digits", "collect_predictions", "plot_image_steps"]:
        files.append(f"benchmarks/{step}.tsv")
    if PLAN.tune_from:
        steps = ["finetune", "plot_finetune", "export_tuned_networks"]
        files += [f"benchmarks/{step}.tsv" for step in steps]
    return files
