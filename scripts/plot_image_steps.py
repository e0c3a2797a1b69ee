"""Step: draw every preprocessing stage of one custom image and its prediction (rule plot_image_steps)."""

import json

import numpy as np

from digitnet.step import run_step, save_figure
from digitnet.viz.custom import error_figure, image_steps_figure


def main(log) -> None:
    prediction = json.loads(open(snakemake.input.prediction).read())
    if prediction["status"] != "ok":
        save_figure(error_figure(prediction["file"], prediction["error"]), snakemake.output[0])
        return
    with np.load(snakemake.input.pixels) as data:
        names = json.loads(str(data["step_names"]))
        steps = [(name, data[f"step{i}"]) for i, name in enumerate(names)]
        thumbnail = data["thumbnail"]
    save_figure(image_steps_figure(prediction, thumbnail, steps), snakemake.output[0])


run_step(snakemake, main)
