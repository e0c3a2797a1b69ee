"""Assemble the static HTML report from result files with a Jinja2 template."""

import base64
from pathlib import Path

import jinja2
import pandas as pd


def embed_png(path) -> str:
    """A ``data:`` URI holding the PNG, so the report is one file that opens anywhere."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def read_benchmarks(paths: list[str]) -> list[dict]:
    """One row per rule from Snakemake's ``benchmark:`` files: wall-clock seconds and peak memory.

    A wildcard rule has one file per job (``benchmarks/<rule>/<job>.tsv``); their times
    add up and the largest memory peak is kept. ``max_rss`` is in MB.
    """
    rows = []
    for rule, files in group_benchmarks(paths).items():
        table = pd.concat([pd.read_csv(path, sep="\t") for path in files])
        rss = pd.to_numeric(table["max_rss"], errors="coerce")
        rows.append(
            {"rule": rule, "seconds": float(table["s"].sum()), "max_rss_mb": float(rss.max()) if rss.notna().any() else None}
        )
    return rows


def group_benchmarks(paths: list[str]) -> dict[str, list[str]]:
    """{rule: [its benchmark files]} from paths named ``benchmarks/<rule>.tsv`` or ``benchmarks/<rule>/<job...>.tsv``."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        parts = Path(path).parts
        rule = parts[1] if len(parts) > 2 else Path(path).stem
        groups.setdefault(rule, []).append(path)
    return groups


def render(template_path, context: dict) -> str:
    """Render ``template_path`` with ``context``; undefined names are errors, not blanks."""
    template_path = Path(template_path)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_path.parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(template_path.name).render(**context)
