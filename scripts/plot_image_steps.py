"""Step: draw every preparation stage of the custom images that need a look (rule plot_image_steps)."""

from pathlib import Path

from digitnet.files import read_json, read_npz
from digitnet.step import run_step, write_json
from digitnet.step_figures import draw_step_figures


def main(log) -> None:
    out = Path(snakemake.output[0])
    drawn = draw_step_figures(
        read_json(snakemake.input.summary),
        read_npz(snakemake.input.images),
        Path(snakemake.params.folder),
        Path(snakemake.params.cache),
        snakemake.input.code,
        out,
        snakemake.threads,
        snakemake.params.max_megapixels,
    )
    write_json(drawn["figures"], out / "index.json")
    log.info(f"{len(drawn['figures'])} images drawn stage by stage, {drawn['anew']} of them anew")


run_step(snakemake, main)
