"""The workflow's plan: from a checked configuration and the folder, every decision the rules read.

The Snakefile's rules only read a ``Plan``: which data sets and models there are, which model is
featured and which reads the custom digits, where each data set's raw files are, the custom
folder's images and labels, how many threads each training takes, and which library files each
step imports (so that editing one reruns exactly the steps that use it). Everything here is plain
Python, unit-tested without Snakemake (tests/unit/test_plan.py); it is computed once while
Snakemake parses, so it reads files but never imports NumPy or opens an image.
"""

import ast
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from digitnet.compare import named_models
from digitnet.configcheck import canonical, config_problems
from digitnet.data.download import CHECKSUMS
from digitnet.data.sources import IDX_STEMS, find_files, packaged_copy
from digitnet.errors import ConfigError
from digitnet.folder import FolderScan, scan_folder
from digitnet.model import layer_stack, stack_problems

# A convolution with at least this many input x output channel pairs trains clearly faster on two
# threads (the preset's second, 32 x 64); a smaller one (config.yaml's reading model, at most
# 16 x 32) gains little, so on one thread it trains beside the featured model and its figures
# (docs/design/threads.md).
TWO_THREAD_CHANNELS = 1024
DIGITNET_IMPORT = re.compile(r"^[ \t]*(from[ \t]+digitnet\S*[ \t]+import[ \t]+(?:\([^)]*\)|.*)|import[ \t]+digitnet.*)", re.MULTILINE)


@dataclass
class Plan:
    """What the workflow will do.

    dataset: the featured data set; models: {name: {"model", "train", "datasets", "changes"}},
    the featured model first (digitnet.compare.named_models); compared: every (data set, model)
    pair trained and tested; featured: the featured model's name; reader: the model that reads
    the custom digits; raw: {data set: (format, {role: path})}; custom: the custom folder's scan;
    threads: {model: BLAS threads for its training}.
    """

    dataset: str
    models: dict[str, dict]
    compared: list[tuple[str, str]]
    featured: str
    reader: str
    tune_from: str | None
    raw: dict[str, tuple[str, dict[str, str]]]
    custom: FolderScan
    threads: dict[str, int] = field(default_factory=dict)


def model_problems(config: dict, models: dict[str, dict], schema: Path) -> list[str]:
    """Each compared model's settings against the schema, and every layer stack's windows
    against the images they get: one line per problem, naming the model and key."""
    problems = [
        f"compare.models[{name}].{problem}"
        for name, settings in models.items()
        if settings["changes"]
        for problem in config_problems({**config, "model": settings["model"], "train": settings["train"]}, schema)
    ]
    for name, settings in models.items():
        where = "model.layers" if name == config["compare"]["name"] else f"compare.models[{name}].model.layers"
        problems += stack_problems(layer_stack(settings["model"]) or [], where)
    return problems


def raw_files(config: dict, dataset: str) -> tuple[str, dict[str, str]]:
    """(format, {role: path}) of ``dataset``'s raw files: ``data_dir`` holds the featured data set;
    otherwise an installed package's copy, else the files download_mnist fetches into resources/.
    DataError when data_dir holds no such data."""
    if config["data_dir"] is None or dataset != config["dataset"]:
        packaged = packaged_copy(dataset)
        if packaged is not None:
            fmt, files = find_files(packaged, "idx")
            return fmt, {role: str(path) for role, path in files.items()}
        return "idx", {role: f"resources/{dataset}/{stems[0]}.gz" for role, stems in IDX_STEMS.items()}
    fmt, files = find_files(config["data_dir"], config["data"]["format"])
    return fmt, {role: str(path) for role, path in files.items()}


TUNED = "-tuned"  # the fine-tuned reading model is named after the one it was tuned from, with this


def reading_model(config: dict, models: dict[str, dict]) -> tuple[str, str | None]:
    """(the model that reads the custom digits, the model fine-tuning starts from or None).

    custom_digits.model, or the featured model; "<name>-tuned" names <name> fine-tuned on the
    folder's labelled digits (custom_digits.finetune must be on). ConfigError unless the model
    (or the one tuned from) is trained on the featured data set, or when fine-tuning is on for a
    data set other than MNIST.
    """
    name = config["custom_digits"]["model"] or config["compare"]["name"]
    finetune = config["custom_digits"].get("finetune", {}).get("enabled", False)
    if finetune and config["dataset"] != "mnist":
        # Its replay would mix the data set's images with the folder's handwritten digits.
        raise ConfigError(
            f"custom_digits.finetune: fine-tuning teaches handwritten digits, but the networks here learn {config['dataset']}: "
            "set dataset: mnist, or finetune.enabled: false"
        )
    trained = [m for m in models if config["dataset"] in models[m]["datasets"]]
    base = name.removesuffix(TUNED) if finetune and name.endswith(TUNED) else name
    if base not in trained:
        raise ConfigError(
            f"custom_digits.model: {name!r} is not a model trained on {config['dataset']}; choose one of {trained} "
            "(compare.name or a name in compare.models), or null for the featured model"
            + (f", or one of them with {TUNED} when custom_digits.finetune is on" if finetune else "")
        )
    return name, (base if finetune else None)


def widest_convolution(model_settings: dict) -> int:
    """The most input x output channel pairs of any convolution in a ``model`` slice (0 without one)."""
    channels, widest = 1, 0
    for entry in layer_stack(model_settings) or []:
        if entry["type"] == "conv2d":
            widest = max(widest, channels * entry["filters"])
            channels = entry["filters"]
    return widest


def train_threads(model_settings: dict) -> int:
    """BLAS threads for training one model: 2 for a network with a wide convolution
    (TWO_THREAD_CHANNELS), whose time is large matrix products, else 1: a dense network gains
    less, and on one thread each two models train side by side at --cores 2."""
    return 2 if widest_convolution(model_settings) >= TWO_THREAD_CHANNELS else 1


def has_convolutions(model_settings: dict) -> bool:
    """Whether a ``model`` slice has convolution layers (in a preset or in its own stack)."""
    return any(entry["type"] == "conv2d" for entry in layer_stack(model_settings) or [])


def make_plan(config: dict, schema: Path) -> Plan:
    """The plan of a configuration already checked against ``schema`` with its defaults filled.

    ConfigError for a problem of the compared models or the reading model; DataError for data
    that data_dir does not hold; DataError for a labels.csv that cannot be read.
    """
    # Each model's settings in canonical form, the models in their order: the featured one first.
    models = {name: canonical(settings) for name, settings in named_models(config).items()}
    problems = model_problems(config, models, schema)
    if problems:
        raise ConfigError("\n".join(problems))
    compared = [(dataset, name) for name in models for dataset in models[name]["datasets"]]
    settings = config["custom_digits"]
    folder = Path(settings["folder"])
    if not folder.is_dir():
        raise ConfigError(
            f"custom_digits.folder: {folder} is not a folder: create it and put your digit images in it, "
            "or point custom_digits.folder at the folder that holds them"
        )
    reader, tune_from = reading_model(config, models)
    return Plan(
        dataset=config["dataset"],
        models=models,
        compared=compared,
        featured=config["compare"]["name"],
        reader=reader,
        tune_from=tune_from,
        raw={dataset: raw_files(config, dataset) for dataset in dict.fromkeys(d for d, _ in compared)},
        custom=scan_folder(folder, settings["extensions"], settings["mode"], settings["labels_csv"]),
        threads={name: train_threads(models[name]["model"]) for name in models},
    )


def dataset_pattern() -> str:
    """The wildcard constraint of {dataset}: the data sets the workflow knows."""
    return "|".join(CHECKSUMS)


def download_names() -> str:
    """The wildcard constraint of a downloaded file's {name}: the four files every data set has."""
    return "|".join(re.escape(name) for name in CHECKSUMS["mnist"])


class LibraryInputs:
    """Which library files each step script imports, directly or through each other, read from
    their import statements (those inside functions too): Snakemake cannot see imports, so the
    rules declare these as inputs. Each file is read once, and only its digitnet import
    statements are parsed: parsing whole files would cost every run, dry runs too."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.imported: dict[Path, set[Path]] = {}

    @functools.cache  # noqa: B019 (one instance per workflow run)
    def module_file(self, name: str) -> Path | None:
        """The file of module ``name`` (``digitnet.nn.layers``), or None for a name that is no
        module of the package (a class or function taken by ``from ... import``)."""
        base = self.root / "scripts" / Path(*name.split("."))
        for path in (base / "__init__.py", base.with_suffix(".py")):
            if path.is_file():
                return path
        return None

    def imported_modules(self, path: Path) -> set[Path]:
        """The digitnet modules that ``path`` imports, with the packages that hold them
        (importing ``digitnet.nn.layers`` runs ``digitnet/__init__`` and ``digitnet/nn/__init__``)."""
        if path not in self.imported:
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
            self.imported[path] = {self.module_file(name) for name in packages} - {None}
        return self.imported[path]

    def of(self, script: str) -> list[str]:
        """The library files that ``scripts/<script>.py`` imports, relative to the root, sorted."""
        found: set[Path] = set()
        todo = [self.root / "scripts" / f"{script}.py"]
        while todo:
            new = self.imported_modules(todo.pop()) - found
            found |= new
            todo += new
        return sorted(str(path.relative_to(self.root)) for path in found)
