"""Step: draw every preprocessing stage of the custom images that need a look (rule plot_image_steps).

Which ones (the misread, the warned, the first few) was decided by collect_predictions; a
single digit's stages are made again from its photo (a few milliseconds), a sheet is drawn
from the pieces the reading step kept.
"""

import json
from pathlib import Path

import numpy as np

from digitnet.preprocess import preprocess_file
from digitnet.step import run_step, save_figure, write_json
from digitnet.viz.custom import image_steps_figure, sheet_figure


def main(log) -> None:
    collected = json.loads(open(snakemake.input.summary).read())
    folder = Path(snakemake.params.folder)
    out = Path(snakemake.output[0])
    out.mkdir(parents=True, exist_ok=True)
    index = {i["file"]: n for n, i in enumerate(collected["images"])}
    drawn = {}
    with np.load(snakemake.input.images) as arrays:
        for file in collected["look"]:
            n = index[file]
            image = collected["images"][n]
            if image["kind"] == "single":
                result, thumbnail = preprocess_file(folder / file, snakemake.params.max_megapixels)
                figure = image_steps_figure(image, thumbnail, result.steps)
            else:
                figure = sheet_figure(image, arrays[f"thumbnail{n}"], arrays[f"pixels{n}"])
            drawn[file] = f"{n:04d}.png"
            save_figure(figure, out / drawn[file])
    write_json(drawn, out / "index.json")
    log.info(f"{len(drawn)} images drawn stage by stage")


run_step(snakemake, main)
