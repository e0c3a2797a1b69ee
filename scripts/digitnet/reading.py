"""Read a whole folder of digit images in one step, each image prepared once and cached by content.

One workflow job per image costs about a second of process start-up for ~0.1 s of work, so
the folder is read by one job. Exact caching is kept per image: an image's preparation
(single digit or sheet of digits) is stored under the SHA-256 of its bytes, inside a folder
named by the version of the code and settings that made it. A rerun prepares only images
whose bytes are new (an added or edited photo); a deleted photo's entry is pruned. The
network's predictions are not cached: they are one batched forward pass over every digit.
"""

import functools
import hashlib
import json
import logging
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitnet import image, preprocess, segment
from digitnet.errors import DamagedFile
from digitnet.files import read_npz
from digitnet.preprocess import ImageError, preprocess_file
from digitnet.segment import looks_like_sheet, segment_file
from digitnet.step import atomic_path

MODES = ("auto", "single", "sheet")
THUMBNAIL = {"single": 96, "sheet": 360, "error": 96}  # longest side kept for the report's gallery
# Below this many images to prepare, starting worker processes costs more than it saves.
PARALLEL_FROM = 8
# Mode "auto" segments an image only when its ink, prepared as one digit, is this much wider
# than tall: segmenting costs about ten times a single digit's preparation. Of 300 photo-like
# test digits, four are wider than this (an 8 at 1.65, two 5s, a 0 at 1.44) and the segmenter
# keeps three of them whole (README, "A sheet of digits"); two digits side by side with a small
# gap are about 1.45 or more.
ROW_ASPECT = 1.4


@dataclass
class Reading:
    """How one image was prepared.

    kind: "single" (one digit), "sheet" (several) or "error" (unreadable; see error).
    pixels : (k, 784) float32 in [0, 1], one MNIST-style digit per piece, in reading order.
    boxes : (k, 4) int, (left, top, right, bottom) of each piece in the oriented image's pixels.
    rows : (k,) int, the row of each piece (0 for a single digit).
    ink : (k,) float32, share of each piece's 28 x 28 pixels above 0.5.
    size: (width, height) of the oriented image; thumbnail : (h, w, 3) uint8, longest side
    at most THUMBNAIL[kind].
    """

    kind: str
    pixels: np.ndarray
    boxes: np.ndarray
    rows: np.ndarray
    ink: np.ndarray
    size: tuple[int, int] = (0, 0)
    thumbnail: np.ndarray = field(default_factory=lambda: np.zeros((1, 1, 3), np.uint8))
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def error_reading(message: str) -> Reading:
    """A Reading for an image that could not be used, with no pieces."""
    return Reading(
        kind="error",
        pixels=np.zeros((0, 784), np.float32),
        boxes=np.zeros((0, 4), np.int64),
        rows=np.zeros(0, np.int64),
        ink=np.zeros(0, np.float32),
        error=message,
    )


def shrink(thumbnail: np.ndarray, longest: int) -> np.ndarray:
    """thumbnail : (h, w, 3) uint8 scaled down (never up) so its longest side is at most ``longest``."""
    from PIL import Image

    image = Image.fromarray(thumbnail)
    image.thumbnail((longest, longest))
    return np.asarray(image)


def single_reading(result: preprocess.Preprocessed, thumbnail: np.ndarray) -> Reading:
    """One digit per image: the MNIST-style preparation of digitnet.preprocess, as a Reading."""
    height, width = thumbnail.shape[:2]
    return Reading(
        kind="single",
        pixels=result.pixels[None, :].astype(np.float32),
        boxes=np.array([[0, 0, width, height]]),
        rows=np.zeros(1, np.int64),
        ink=np.array([result.ink_fraction], np.float32),
        size=(width, height),
        thumbnail=shrink(thumbnail, THUMBNAIL["single"]),
        notes=list(result.notes),
    )


def read_sheet(sheet: segment.Sheet, thumbnail: np.ndarray) -> Reading:
    """Several digits per image: the pieces that digitnet.segment found, in reading order."""
    if not sheet.pieces:
        raise ImageError("no digits found on the sheet")
    return Reading(
        kind="sheet",
        pixels=np.stack([piece.pixels for piece in sheet.pieces]).astype(np.float32),
        boxes=np.array([piece.box for piece in sheet.pieces]),
        rows=np.array([piece.row for piece in sheet.pieces]),
        ink=np.array([piece.ink_fraction for piece in sheet.pieces], np.float32),
        size=tuple(sheet.size),
        thumbnail=shrink(thumbnail, THUMBNAIL["sheet"]),
        notes=list(sheet.notes),
    )


@functools.cache
def judge_from(weights: str) -> segment.Judge:
    """The network saved in ``weights``, as the judge that tells digitnet.segment where touching
    digits part; loaded once per process."""
    from digitnet.model import load_model

    return load_model(Path(weights)).predict_proba


def read_image(path: Path, mode: str, max_megapixels: float, judge: segment.Judge | None = None) -> Reading:
    """Prepare one image as a single digit, a sheet, or whichever it looks like (mode "auto").

    "auto" prepares the image as one digit first; only when its ink (all of it, before ink
    apart from the digit is dropped) is wider than tall (ROW_ASPECT) is the image segmented, and it is read as a sheet when digitnet.segment
    finds several digit-sized pieces. A grid of digits can look like one square blot: use
    mode "sheet" for worksheets. Touching digits of a sheet part where the network ``judge``
    reads them best, when one is given. A bad image is not an exception here: it becomes an "error"
    Reading whose message says why, so one broken photo never stops the others.
    """
    try:
        if mode != "sheet":
            result, thumbnail = preprocess_file(path, max_megapixels)
            single = single_reading(result, thumbnail)
            if mode == "single" or result.aspect < ROW_ASPECT:
                return single
        sheet, thumbnail = segment_file(path, max_megapixels, judge)
        if mode == "sheet" or looks_like_sheet(sheet):
            return read_sheet(sheet, thumbnail)
        return single
    except ImageError as error:
        return error_reading(str(error))


def code_version(settings: dict) -> str:
    """16 hex digits naming the code and settings that prepare images; a change starts a new cache."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for module in (preprocess, segment):
        digest.update(Path(module.__file__).read_bytes())
    for stage in sorted(Path(image.__file__).parent.glob("*.py")):
        digest.update(stage.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes (an unreadable file hashes as its error, so it is retried next run)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as error:
        return "unreadable-" + hashlib.sha256(str(error).encode()).hexdigest()


def save_reading(reading: Reading, path: Path) -> None:
    """Write a Reading to ``path`` (.npz) through a temporary file, so a killed run leaves no half entry."""
    meta = {"kind": reading.kind, "size": list(reading.size), "notes": reading.notes, "error": reading.error}
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(
            f,
            pixels=reading.pixels,
            boxes=reading.boxes,
            rows=reading.rows,
            ink=reading.ink,
            thumbnail=reading.thumbnail,
            meta=np.array(json.dumps(meta)),
        )


def load_reading(path: Path) -> Reading:
    """The Reading that ``save_reading`` wrote to ``path``; DamagedFile when the entry is truncated,
    overwritten or not one of ours (never a bare NumPy, json or KeyError)."""
    data = read_npz(path, required=("pixels", "boxes", "rows", "ink", "thumbnail", "meta"), what="a reading-cache entry")
    try:
        meta = json.loads(str(data["meta"]))
        reading = Reading(
            kind=meta["kind"],
            pixels=data["pixels"],
            boxes=data["boxes"],
            rows=data["rows"],
            ink=data["ink"],
            size=tuple(meta["size"]),
            thumbnail=data["thumbnail"],
            notes=meta["notes"],
            error=meta["error"],
        )
    except (ValueError, KeyError, TypeError) as error:
        raise DamagedFile(path, f"not a reading-cache entry ({type(error).__name__}: {error})") from None
    pieces = len(reading.pixels)
    if reading.pixels.shape[1:] != (784,) or not len(reading.boxes) == len(reading.rows) == len(reading.ink) == pieces:
        raise DamagedFile(path, f"not a reading-cache entry: pixels {reading.pixels.shape} do not match its boxes, rows and ink")
    return reading


def load_cached(entry: Path, name: str, log: logging.Logger | None) -> Reading | None:
    """The cached Reading of image ``name``, or None when there is none or it is damaged.

    A damaged entry (a disk that filled up, a copy gone wrong) is deleted and reported as a
    warning: the image is simply prepared again, which is what the cache would have saved.
    """
    if not entry.is_file():
        return None
    try:
        return load_reading(entry)
    except DamagedFile as error:
        if log is not None:
            log.warning(f"warning: the cached preparation of {name} is damaged, preparing it again ({error.problem})")
        entry.unlink(missing_ok=True)
        return None


def prepare_into_cache(job: tuple[str, str, str, float, str | None]) -> None:
    """Prepare one image and store it in the cache: job = (source, cache entry, mode, max_megapixels,
    the weights of the network that judges touching digits or None)."""
    source, entry, mode, max_megapixels, weights = job
    judge = judge_from(weights) if weights is not None else None
    save_reading(read_image(Path(source), mode, max_megapixels, judge), Path(entry))


@dataclass
class FolderReading:
    """Every image of a folder, in the order asked for, and how many were prepared anew."""

    readings: list[Reading]
    hashes: list[str]
    prepared: list[str]
    cached: int


def read_folder(
    folder: Path,
    names: list[str],
    mode: str,
    max_megapixels: float,
    cache_root: Path,
    workers: int = 1,
    log: logging.Logger | None = None,
    weights: Path | None = None,
) -> FolderReading:
    """Read ``names`` (paths relative to ``folder``), preparing only images not in the cache.

    The cache lives in ``cache_root/<code_version>/<sha256>.npz``; entries of other versions
    and of images no longer in the folder are removed, so it holds exactly the current folder.
    A damaged entry counts as missing (``load_cached``: a warning goes to ``log``). Images to
    prepare are spread over ``workers`` processes. The network in ``weights``, if given, judges
    where a sheet's touching digits part; a sheet's pieces then depend on it, so unless every
    image is read as a single digit, its bytes name the cache too.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    judged = weights is not None and mode != "single"
    model = content_hash(Path(weights)) if judged else None
    cache = Path(cache_root) / code_version({"mode": mode, "max_megapixels": max_megapixels, "model": model})
    cache.mkdir(parents=True, exist_ok=True)
    for stale in Path(cache_root).iterdir():
        if stale != cache:
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    entries = {name: cache / f"{content_hash(folder / name)}.npz" for name in names}
    loaded: dict[Path, Reading] = {}
    for name, entry in entries.items():
        if entry not in loaded and (reading := load_cached(entry, name, log)) is not None:
            loaded[entry] = reading
    missing = {name: entry for name, entry in entries.items() if entry not in loaded}
    # Two files with the same bytes share one entry, prepared once.
    first_of = {entry: name for name, entry in reversed(missing.items())}
    judge_weights = str(weights) if judged else None
    jobs = [(str(folder / name), str(entry), mode, max_megapixels, judge_weights) for entry, name in first_of.items()]
    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(prepare_into_cache, jobs, chunksize=4))
    else:
        for job in jobs:
            prepare_into_cache(job)
    loaded |= {entry: load_reading(entry) for entry in first_of}
    kept = set(entries.values())
    for entry in cache.iterdir():
        if entry not in kept:
            entry.unlink()
    return FolderReading(
        readings=[loaded[entries[name]] for name in names],
        hashes=[entries[name].stem for name in names],
        prepared=sorted(missing),
        cached=len(names) - len(missing),
    )
