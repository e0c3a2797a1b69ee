"""Step: draw the compared models' accuracy against training time (rule plot_comparison)."""

import json

from digitnet.step import run_step, save_figure
from digitnet.viz.comparison import comparison_figure


def main(log) -> None:
    rows = json.loads(open(snakemake.input.table).read())["models"]
    save_figure(comparison_figure(rows), snakemake.output[0])


run_step(snakemake, main)
