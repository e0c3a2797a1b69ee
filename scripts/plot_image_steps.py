"""Step: draw every preprocessing stage of the custom images that need a look (rule plot_image_steps).

Which ones (the misread, the warned, the first few) was decided by collect_predictions; a
single digit's stages, of every preparation the network read, are made again from its
photo (a few milliseconds), a sheet is drawn
from the pieces the reading step kept. A figure costs about half a second, so each is kept
in a cache under the hash of what it shows (the image's result, its photo's hash and the
drawing code): adding one photo to the folder does not redraw the others.
"""

import hashlib
import json
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from digitnet.files import read_json, read_npz
from digitnet.reading import digit_preparations
from digitnet.step import run_step, save_figure, write_json
from digitnet.viz.custom import image_steps_figure, sheet_figure


def draw(job: tuple) -> None:
    """Draw one image's figure into the cache: job = (result, source, thumbnail, pixels, max_megapixels, path)."""
    image, source, thumbnail, pixels, max_megapixels, path = job
    if image["kind"] == "single":
        made, thumbnail = digit_preparations(source, max_megapixels)
        steps = [(f"{name}: {stage}", picture) for name, prepared in zip(made.names, made.prepared, strict=True) for stage, picture in prepared.steps]
        figure = image_steps_figure(image, thumbnail, steps)
    else:
        figure = sheet_figure(image, thumbnail, pixels)
    save_figure(figure, path)


def main(log) -> None:
    collected = read_json(snakemake.input.summary)
    folder = Path(snakemake.params.folder)
    out, cache = Path(snakemake.output[0]), Path(snakemake.params.cache)
    out.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    code = hashlib.sha256(b"".join(Path(path).read_bytes() for path in snakemake.input.code))
    index = {image["file"]: n for n, image in enumerate(collected["images"])}
    jobs, drawn = [], {}
    arrays = read_npz(snakemake.input.images)
    for file in collected["look"]:
        n, image = index[file], collected["images"][index[file]]
        key = code.copy()
        key.update(json.dumps(image, sort_keys=True).encode())
        entry = cache / f"{key.hexdigest()[:32]}.png"
        drawn[file] = (f"{n:04d}.png", entry)
        if not entry.is_file():
            jobs.append((image, folder / file, arrays[f"thumbnail{n}"], arrays[f"pixels{n}"], snakemake.params.max_megapixels, entry))
    if snakemake.threads > 1 and len(jobs) > 2:
        with ProcessPoolExecutor(max_workers=snakemake.threads) as pool:
            list(pool.map(draw, jobs))
    else:
        for job in jobs:
            draw(job)
    for name, entry in drawn.values():
        shutil.copyfile(entry, out / name)
    kept = {entry for _, entry in drawn.values()}
    for entry in cache.iterdir():
        if entry not in kept:
            entry.unlink()
    write_json({file: name for file, (name, _) in drawn.items()}, out / "index.json")
    log.info(f"{len(drawn)} images drawn stage by stage, {len(jobs)} of them anew")


run_step(snakemake, main)
