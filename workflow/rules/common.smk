# Helpers shared by the rules: config validation, library inputs, where the raw data is.

import ast
import functools
import os
import re
import shlex
import shutil
import sys
from pathlib import Path

ROOT = Path(workflow.main_snakefile).parent
sys.path.insert(0, str(ROOT / "scripts"))

from digitnet.compare import named_models
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
from digitnet.folder import manifest, scan_folder, write_if_changed
from digitnet.data.classes import CLASS_NAMES
from digitnet.data.download import CHECKSUMS
from digitnet.data.sources import IDX_STEMS, find_files, packaged_copy
from digitnet.environment import set_job_environment
from digitnet.errors import ConfigError, DataError
from digitnet.figures import MODEL_FIGURES, figure_path, report_figures
from digitnet.model import layer_stack, stack_problems

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


def copy_atomically(source, destination):
    """Copy ``source`` to ``destination`` through a temporary file beside it: a reader sees the old
    file or the new one, never half of one."""
    partial = Path(destination).with_name(f".{Path(destination).name}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, destination)


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

# The compared models: each entry's settings are the featured model's with its changes,
# checked against the same schema (the featured model's own were checked above).
try:
    MODELS = canonical(named_models(config))
except ConfigError as error:
    stop_if([f"{error}{source_note(SOURCES, ['compare', 'models'])}"])
stop_if(
    [
        f"compare.models[{name}].{problem}{source_note(SOURCES, ['compare', 'models'])}"
        for name, settings in MODELS.items()
        if settings["changes"]
        for problem in config_problems(
            {**config, "model": settings["model"], "train": settings["train"]},
            ROOT / SCHEMA,
        )
    ]
)

# Convolution and pooling windows that the 28 x 28 images, shrunk by the layers before, cannot fit.
stop_if(
    [
        f"{problem}{source_note(SOURCES, ['model'] if name == config['compare']['name'] else ['compare', 'models'])}"
        for name, settings in MODELS.items()
        for problem in stack_problems(
            layer_stack(settings["model"]) or [],
            (
                "model.layers"
                if name == config["compare"]["name"]
                else f"compare.models[{name}].model.layers"
            ),
        )
    ]
)

# Every (data set, model) pair to train and test; the featured model, which every figure
# follows, is the first, and its results live in FEATURED.
DATASET = config["dataset"]
COMPARED = [(dataset, name) for name in MODELS for dataset in MODELS[name]["datasets"]]
FEATURED = f"results/models/{DATASET}/{config['compare']['name']}"


def featured(pattern, model=config["compare"]["name"]):
    """A rule's output ``pattern`` (with {dataset}, and {model} if any) for the featured data
    set and ``model``: the featured model unless another is named."""
    return pattern.format(dataset=DATASET, model=model)


# What the featured data set's labels mean, for the figures (None: digits, shown as they are).
CLASS_NAMES_SHOWN = None if DATASET == "mnist" else CLASS_NAMES[DATASET]


wildcard_constraints:
    dataset="|".join(CHECKSUMS),
    model="|".join(re.escape(name) for name in MODELS),


# The C library's and OpenBLAS's settings for every job (digitnet/environment.py), read when
# each job's process starts.
set_job_environment()

# Each training job records the command that ran it, for the comparison table. It travels
# in the environment, not in params, so running with other options retrains nothing.
os.environ.setdefault("DIGITNET_COMMAND", shlex.join(["snakemake", *sys.argv[1:]]))

# Snakemake cannot see Python imports, so each step's library modules are declared as
# inputs: editing a module reruns exactly the rules whose steps import it. They are read
# from the imports themselves, anywhere in a file (steps import lazily inside functions),
# following digitnet's own modules to the end. Each file is read once per run, and only its
# digitnet import statements are parsed: parsing whole files would cost every run, dry runs too.
IMPORTED = {}
DIGITNET_IMPORT = re.compile(
    r"^[ \t]*(from[ \t]+digitnet\S*[ \t]+import[ \t]+(?:\([^)]*\)|.*)|import[ \t]+digitnet.*)",
    re.MULTILINE,
)


@functools.cache
def module_file(name):
    """The file of module ``name`` (``digitnet.nn.layers``), or None for a name that is no
    module of the package (a class or function taken by ``from ... import``). Cached: the
    same names recur across the files of every step."""
    base = ROOT / "scripts" / Path(*name.split("."))
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def imported_modules(path):
    """The digitnet modules that the file ``path`` imports, with the packages that hold them
    (importing ``digitnet.nn.layers`` runs ``digitnet/__init__`` and ``digitnet/nn/__init__``).
    """
    if path not in IMPORTED:
        names = set()
        statements = DIGITNET_IMPORT.findall(path.read_text())
        for node in ast.parse("\n".join(statements), str(path)).body:
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        parts = [name.split(".") for name in names if name.split(".")[0] == "digitnet"]
        packages = {".".join(p[:i]) for p in parts for i in range(1, len(p) + 1)}
        IMPORTED[path] = {module_file(name) for name in packages} - {None}
    return IMPORTED[path]


def lib(script):
    """The library files that ``scripts/<script>.py`` imports, directly or through each other."""
    found, todo = set(), [ROOT / "scripts" / f"{script}.py"]
    while todo:
        new = imported_modules(todo.pop()) - found
        found |= new
        todo += new
    return sorted(str(path.relative_to(ROOT)) for path in found)


def find_raw_data(dataset):
    """(format, {role: path}) of ``dataset``'s raw files.

    data_dir holds the featured data set; otherwise an installed package's copy, else
    the files that download_mnist fetches into resources/.
    """
    if config["data_dir"] is None or dataset != DATASET:
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
        stop(f"error: {error}")
    return fmt, {role: str(path) for role, path in files.items()}


RAW = {
    dataset: find_raw_data(dataset) for dataset in dict.fromkeys(d for d, _ in COMPARED)
}


def raw_inputs(wildcards):
    """The raw files of one data set, by role, plus the library code that reads them."""
    return {
        **RAW[wildcards.dataset][1],
        "code": lib("prepare_data"),
    }


def compared_files(pattern):
    """One path per compared (data set, model) pair, from a pattern with {dataset} and {model}."""
    return [pattern.format(dataset=d, model=m) for d, m in COMPARED]


def scan_custom_folder():
    """What the reading step reads in custom_digits.folder (digitnet/folder.py: images, the files
    named like images that cannot be read, labels, and what was skipped and why)."""
    settings = config["custom_digits"]
    folder = Path(settings["folder"])
    if not folder.is_dir():
        stop_if(
            [
                f"custom_digits.folder: {folder} is not a folder: create it and put your digit images in it, "
                f"or point custom_digits.folder at the folder that holds them{source_note(SOURCES, ['custom_digits', 'folder'])}"
            ]
        )
    try:
        return scan_folder(
            folder, settings["extensions"], settings["mode"], settings["labels_csv"]
        )
    except DataError as error:
        stop(f"error: {error}")


def custom_model():
    """The compared model that reads custom digits: custom_digits.model, or the featured one."""
    name = config["custom_digits"]["model"] or config["compare"]["name"]
    if name not in MODELS or DATASET not in MODELS[name]["datasets"]:
        stop_if(
            [
                f"custom_digits.model: {name!r} is not a model trained on {DATASET}; "
                f"choose one of {[m for m in MODELS if DATASET in MODELS[m]['datasets']]} "
                "(compare.name or a name in compare.models), or null for the featured model"
            ]
        )
    return name


CUSTOM_FOLDER = config["custom_digits"]["folder"]
CUSTOM_SCAN = scan_custom_folder()
CUSTOM_IMAGES, CUSTOM_LABELS = CUSTOM_SCAN.images, CUSTOM_SCAN.labels
CUSTOM_UNREADABLE = list(CUSTOM_SCAN.unreadable)
# The reading step's input: the folder's state in one file, rewritten only when it changes.
CUSTOM_MANIFEST = "results/custom/folder.json"
write_if_changed(CUSTOM_MANIFEST, manifest(CUSTOM_SCAN, CUSTOM_FOLDER))
CUSTOM_MODEL = custom_model()


def has_convolutions(model_settings):
    """Whether a ``model`` slice has convolution layers (in a preset or in its own stack)."""
    return any(entry["type"] == "conv2d" for entry in layer_stack(model_settings) or [])


# A convolution with at least this many input x output channel pairs trains clearly faster on two
# threads (the preset's second, 32 x 64); a smaller one (config.yaml's reading model, at most
# 16 x 32) gains little, so on one thread it trains beside the featured model and its figures
# (docs/design/threads.md).
TWO_THREAD_CHANNELS = 1024


def widest_convolution(model_settings):
    """The most input x output channel pairs of any convolution in a ``model`` slice (0 without one)."""
    channels, widest = 1, 0
    for entry in layer_stack(model_settings) or []:
        if entry["type"] == "conv2d":
            widest = max(widest, channels * entry["filters"])
            channels = entry["filters"]
    return widest


def train_threads(wildcards):
    """BLAS threads for training one model: 2 for a network with a wide convolution, else 1.

    A wide convolution's time is large matrix products, faster on two threads
    (TWO_THREAD_CHANNELS). A dense network gains less, and its augmentation, single-threaded
    NumPy, nothing: on one thread each, two models train side by side at --cores 2, and the
    featured model's figures start while a compared model still trains.
    """
    wide = widest_convolution(MODELS[wildcards.model]["model"]) >= TWO_THREAD_CHANNELS
    return 2 if wide else 1


# Every figure of the report, in reading order: its file name -> the rule that draws it
# (the one table in digitnet/figures.py).
FIGURE_RULES = report_figures(has_convolutions(config["model"]))


def rule_benchmarks(wildcards):
    """The benchmark files of every step before the report, for its time-and-memory table.

    A step run once per data set or model has one file per job; the report adds
    their times up.
    """
    steps = ["trace_step", "explain_step", "export_network", "compare_models"]
    steps += [rule for name, rule in FIGURE_RULES.items() if name not in MODEL_FIGURES]
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
    return files
