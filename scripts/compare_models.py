"""Step: one table row per compared model and data set (rule compare_models)."""

import pandas as pd

from digitnet.compare import comparison_row
from digitnet.step import run_step, write_csv, write_json


def main(log) -> None:
    pairs = snakemake.params.compared
    files = zip(snakemake.input.metrics, snakemake.input.meta, snakemake.input.benchmarks, strict=True)
    rows = [
        comparison_row(dataset, name, *paths, snakemake.params.changes[name])
        for (dataset, name), paths in zip(pairs, files, strict=True)
    ]
    for row in rows:
        log.info(
            f"{row['dataset']}/{row['model']}: {row['test_accuracy']:.2%} test accuracy, {row['train_seconds']:.1f} s training"
        )
    write_json({"models": rows}, snakemake.output.json)
    table = pd.DataFrame(rows).assign(changes=lambda t: t["changes"].map("; ".join))
    write_csv(table, snakemake.output.table)


run_step(snakemake, main)
