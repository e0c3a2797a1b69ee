"""Compare two regenerations of the workflow file by file, ignoring only what records a measured time or memory.

Every file under ``results/`` and ``report.html`` is compared byte for byte, after the few
measured fields listed here (and nowhere else) are taken out. The logs and Snakemake's
``benchmarks/`` are not results: they record the run itself.
"""

import base64
import hashlib
import io
import json
import re
from pathlib import Path

import pandas as pd
from markupsafe import escape

# JSON keys and CSV columns that hold a measured wall time or peak memory: a training epoch's
# and a training run's seconds (history.csv, model.json) and the train job's benchmark
# (results/compare/models.*).
MEASURED_FIELDS = {"seconds", "train_seconds", "max_rss_mb"}
# Files that draw measured values: the comparison chart plots test error against training seconds.
MEASURED_FILES = {"results/figures/comparison.png"}
# The same measurements as report.html prints them, and the time it was generated (in this
# order: the tables' patterns look at the memory column beside the seconds).
MEASURED_IN_REPORT = [
    r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC",  # the generation time
    r"<td>\d+\.\d\d</td>(?=</tr>)",  # an epoch's seconds, the training table's last column
    r"<td>\d+\.\d\d</td>(?=<td>(?:\d+ MB|-)</td>)",  # a step's seconds in the time-and-memory table
    r"\d+(?:\.\d+)?(?:e\+\d+)? s\b",  # training times: "1.6 s", "0.437 s"
    r"\d+ MB\b",  # peak memory
]
# What records how the workflow was invoked: the same command gives the same value, a cluster
# run and a local run differ in it (and only in it).
INVOCATION_FIELDS = {"command"}


def digests(workdir: Path, ignore_invocation: bool = False) -> dict[str, str]:
    """{path relative to workdir: SHA-256 of the file with the measured fields removed}.

    Covers every file under ``results/`` and ``report.html`` (when made); MEASURED_FILES get a placeholder
    instead of a digest. With ``ignore_invocation``, INVOCATION_FIELDS are removed too.
    """
    ignored = MEASURED_FIELDS | (INVOCATION_FIELDS if ignore_invocation else set())
    paths = sorted(p for p in (workdir / "results").rglob("*") if p.is_file())
    paths += [workdir / "report.html"] if (workdir / "report.html").exists() else []
    result = {}
    for path in paths:
        name = path.relative_to(workdir).as_posix()
        content = b"(measured)" if name in MEASURED_FILES else normalized(workdir, path, ignored)
        result[name] = hashlib.sha256(content).hexdigest()
    return result


def normalized(workdir: Path, path: Path, ignored: set[str]) -> bytes:
    """The file's bytes, with the ``ignored`` JSON keys, CSV columns or report values taken out."""
    if path.suffix == ".json":
        return json.dumps(without_keys(json.loads(path.read_text()), ignored), indent=1).encode()
    if path.suffix == ".csv":
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        buffer = io.StringIO()
        table.drop(columns=[c for c in table.columns if c in ignored]).to_csv(buffer, index=False)
        return buffer.getvalue().encode()
    if path.name == "report.html":
        return report_text(workdir, ignored).encode()
    return path.read_bytes()


def without_keys(value, ignored: set[str]):
    """``value`` (parsed JSON) with every dict key in ``ignored`` dropped, at any depth."""
    if isinstance(value, dict):
        return {k: without_keys(v, ignored) for k, v in value.items() if k not in ignored}
    if isinstance(value, list):
        return [without_keys(v, ignored) for v in value]
    return value


def report_text(workdir: Path, ignored: set[str]) -> str:
    """report.html with the measured values (and, when ignored, the commands) replaced by placeholders."""
    text = (workdir / "report.html").read_text()
    for name in MEASURED_FILES:
        embedded = base64.b64encode((workdir / name).read_bytes()).decode("ascii")
        text = text.replace(embedded, f"({name})")
    for pattern in MEASURED_IN_REPORT:
        text = re.sub(pattern, "(measured)", text)
    if "command" in ignored:
        for row in json.loads((workdir / "results/compare/models.json").read_text())["models"]:
            if row["command"]:
                text = text.replace(str(escape(row["command"])), "(command)")
    return text


def differences(first: Path, second: Path, ignore_invocation: bool = False, partial: bool = False) -> list[str]:
    """The files (relative paths) that differ between two runs, or exist in only one of them.

    With ``partial``, the second run made only some of the targets: its files are compared with
    the same files of the first.
    """
    a, b = digests(first, ignore_invocation), digests(second, ignore_invocation)
    names = b.keys() if partial else a.keys() | b.keys()
    return sorted(name for name in names if a.get(name) != b.get(name))
