"""Snakemake's ``benchmark:`` files: how long each step ran and how much memory it took."""

import csv
import math
from pathlib import Path


def read_benchmark(path) -> dict:
    """{"seconds", "max_rss_mb"} of one job: wall-clock ``s`` and peak ``max_rss`` (MB; None if unmeasured).

    The file is a small tab-separated table, one row per repeat. It is read with ``csv``
    rather than pandas because the workflow's own set-up imports this module (through
    ``digitnet.compare``) on every run, dry runs included, and pandas alone would add about
    half a second to each.
    """
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    peaks = [rss for row in rows if (rss := _number(row.get("max_rss"))) is not None]
    return {"seconds": sum(float(row["s"]) for row in rows), "max_rss_mb": max(peaks, default=None)}


def _number(text: str | None) -> float | None:
    """``text`` as a finite float, or None for Snakemake's "NA", "-" or an empty field."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def read_benchmarks(paths: list[str]) -> list[dict]:
    """One row per rule: {"rule", "seconds", "max_rss_mb"}.

    A wildcard rule has one file per job (``benchmarks/<rule>/<job>.tsv``); their times
    add up and the largest memory peak is kept.
    """
    rows = []
    for rule, files in group_benchmarks(paths).items():
        jobs = [read_benchmark(path) for path in files]
        peaks = [job["max_rss_mb"] for job in jobs if job["max_rss_mb"] is not None]
        rows.append({"rule": rule, "seconds": sum(job["seconds"] for job in jobs), "max_rss_mb": max(peaks, default=None)})
    return rows


def group_benchmarks(paths: list[str]) -> dict[str, list[str]]:
    """{rule: [its benchmark files]} from paths named ``benchmarks/<rule>.tsv`` or ``benchmarks/<rule>/<job...>.tsv``."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        parts = Path(path).parts
        rule = parts[1] if len(parts) > 2 else Path(path).stem
        groups.setdefault(rule, []).append(path)
    return groups
