"""The stage-by-stage figures of the custom images that need a look, each kept on the "figures"
shelf of the custom images' cache (digitnet.store) under the hash of what it shows, so adding
one photo to the folder does not redraw the others.

Which images need a look (the misread, the warned, the first few) is decided by
digitnet.custom.needs_a_look. A single digit's stages, of every preparation the network read,
are made again from its photo (a few milliseconds); a sheet is drawn from the pieces the reading
step kept. A figure costs about half a second, so new ones are drawn on several processes.
"""

import json
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from digitnet.reading import digit_preparations
from digitnet.step import save_figure
from digitnet.store import Shelf, code_digest, digest
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


def draw_step_figures(collected: dict, arrays, folder: Path, cache: Path, code: list[str], out: Path, threads: int, max_megapixels: float) -> dict:
    """Draw the figures of ``collected["look"]`` (the images that need a look, from the summary)
    into ``out`` as 0000.png, ... and return {file: figure name} with how many were drawn anew.

    arrays: the reading step's images.npz (thumbnail<n>, pixels<n> per image n). ``cache`` is the
    custom images' cache: the figures' shelf is versioned by the drawing code's files (``code``),
    and a figure is named by the image's whole result and, through it, its photo's hash; entries
    no figure uses any more are removed.
    """
    out.mkdir(parents=True, exist_ok=True)
    shelf = Shelf(cache, "figures", code_digest([Path(path) for path in code]))
    index = {image["file"]: n for n, image in enumerate(collected["images"])}
    jobs, drawn = [], {}
    for file in collected["look"]:
        n, image = index[file], collected["images"][index[file]]
        entry = shelf.entry(digest(json.dumps(image, sort_keys=True))[:32], ".png")
        drawn[file] = (f"{n:04d}.png", entry)
        if not entry.is_file():
            jobs.append((image, folder / file, arrays[f"thumbnail{n}"], arrays[f"pixels{n}"], max_megapixels, entry))
    if threads > 1 and len(jobs) > 2:
        with ProcessPoolExecutor(max_workers=threads) as pool:
            list(pool.map(draw, jobs))
    else:
        for job in jobs:
            draw(job)
    for name, entry in drawn.values():
        shutil.copyfile(entry, out / name)
    shelf.keep_only({entry for _, entry in drawn.values()})
    return {"figures": {file: name for file, (name, _) in drawn.items()}, "anew": len(jobs)}
