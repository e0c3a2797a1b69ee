"""Step: prepare one custom image the MNIST way (rule preprocess_image).

A bad image does not stop the workflow: the step records the problem in its status file
and succeeds, so the other images and the rest of the report are still made.
"""

import json

import numpy as np

from digitnet.preprocess import ImageError, preprocess_file
from digitnet.step import atomic_path, run_step, write_json


def main(log) -> None:
    source = snakemake.input.image
    try:
        result, thumbnail = preprocess_file(source, snakemake.params.max_megapixels)
    except ImageError as error:
        log.info(f"{source}: {error}")
        with atomic_path(snakemake.output.pixels) as tmp, open(tmp, "wb") as f:
            np.savez(f, pixels=np.zeros(0, np.float32))
        write_json({"file": snakemake.wildcards.name, "status": "error", "error": str(error)}, snakemake.output.status)
        return
    names = [name for name, _ in result.steps]
    with atomic_path(snakemake.output.pixels) as tmp, open(tmp, "wb") as f:
        np.savez(
            f,
            pixels=result.pixels,
            thumbnail=thumbnail,
            step_names=np.array(json.dumps(names)),
            **{f"step{i}": image for i, (_, image) in enumerate(result.steps)},
        )
    write_json(
        {"file": snakemake.wildcards.name, "status": "ok", "ink_fraction": result.ink_fraction, "notes": result.notes},
        snakemake.output.status,
    )
    log.info(f"{source}: {'; '.join(result.notes)}; ink covers {result.ink_fraction:.1%} of 28 x 28")


run_step(snakemake, main)
