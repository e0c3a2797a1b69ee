"""Step: write explain.md, one training step in words and numbers (rule explain_step)."""

from digitnet.explain import explain_step
from digitnet.step import atomic_path, run_step
from digitnet.trace import load_trace


def main(log) -> None:
    with atomic_path(snakemake.output[0]) as tmp:
        tmp.write_text(explain_step(load_trace(snakemake.input.trace)))


run_step(snakemake, main)
