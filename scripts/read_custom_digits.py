"""Step: prepare every custom image (cached by its content) and read it with the network (rule read_custom_digits).

A bad image does not stop the workflow: its result says why it could not be used, and the
other images and the rest of the report are still made.
"""

from pathlib import Path

import numpy as np

from digitnet.custom import image_result, named
from digitnet.model import load_model
from digitnet.preparations import read_rows
from digitnet.reading import read_folder, shown_pixels
from digitnet.step import atomic_path, run_step, write_json


def main(log) -> None:
    settings = snakemake.params.custom
    names = snakemake.params.names
    folder = read_folder(
        Path(settings["folder"]),
        names,
        settings["mode"],
        settings["max_megapixels"],
        Path(snakemake.params.cache),
        max_pieces=settings["max_pieces"],
        workers=snakemake.threads,
        log=log,
        weights=Path(snakemake.input.weights),
    )
    predict = load_model(snakemake.input.weights).predict_proba
    # Each image's preparations (every digit, each shifted a pixel each way too) in forward passes
    # of their own: how many rows a pass holds decides how the convolutions sum (by the DFT or by
    # patches, in another order), which moves the last digits of a probability. Read alone, an
    # image reads the same whatever else is in the folder, and its cached figure stays its own.
    per_image = [read_rows(predict, reading.pixels) for reading in folder.readings]  # (rows of each image, 10)
    results = [
        {**image_result(name, reading, probabilities, settings["low_confidence"], settings["low_ink"], settings["temperature"]), "sha256": sha}
        for name, reading, probabilities, sha in zip(names, folder.readings, per_image, folder.hashes, strict=True)
    ]
    write_json({"model": snakemake.params.model, "prepared": folder.prepared, "images": results}, snakemake.output.readings)
    with atomic_path(snakemake.output.images) as tmp, open(tmp, "wb") as f:
        arrays = {}
        for i, (reading, probabilities) in enumerate(zip(folder.readings, per_image, strict=True)):
            arrays[f"thumbnail{i}"] = reading.thumbnail
            arrays[f"pixels{i}"] = shown_pixels(reading, probabilities)
        np.savez(f, **arrays)
    log.info(f"{len(names)} images, {sum(r.pieces for r in folder.readings)} digits read by {snakemake.params.model}")
    log.info(f"{len(folder.prepared)} prepared, {folder.cached} from the cache: {named(folder.prepared) or 'none'}")


run_step(snakemake, main)
