"""Step: draw the compared models' accuracy against training time (rule plot_comparison)."""

from digitnet.files import read_json
from digitnet.step import run_step, save_figure
from digitnet.viz.comparison import comparison_figure


def main(log) -> None:
    rows = read_json(snakemake.input.table)["models"]
    save_figure(comparison_figure(rows), snakemake.output[0])


run_step(snakemake, main)
