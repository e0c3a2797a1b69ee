"""Snakemake's ``benchmark:`` files: how long each step ran and how much memory it took."""

from pathlib import Path

import pandas as pd


def read_benchmark(path) -> dict:
    """{"seconds", "max_rss_mb"} of one job: wall-clock ``s`` and peak ``max_rss`` (MB; None if unmeasured)."""
    table = pd.read_csv(path, sep="\t")
    rss = pd.to_numeric(table["max_rss"], errors="coerce")
    return {"seconds": float(table["s"].sum()), "max_rss_mb": float(rss.max()) if rss.notna().any() else None}


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
