"""A copy of the workflow to run in a scratch folder, as a user's clone holds it: the parts that
a run reads, without results, caches or the benchmarks' records. Benchmarks and tests use it."""

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKFLOW_PARTS = ["Snakefile", "config.yaml", "workflow", "scripts", "report_templates", "custom_digits"]


def copy_workflow(dest: Path, custom_digits: bool = True) -> Path:
    """Copy WORKFLOW_PARTS into ``dest`` (made if missing) and return it; without the example
    ``custom_digits`` folder when the caller brings its own images."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        if part == "custom_digits" and not custom_digits:
            continue
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest / part)
    return dest
