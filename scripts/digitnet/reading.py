"""Read a whole folder of digit images in one step, each image prepared once and cached by content.

One workflow job per image costs about a second of process start-up for ~0.1 s of work, so
the folder is read by one job. Exact caching is kept per image: an image's preparation
(single digit or sheet of digits) is stored on the "readings" shelf of the custom images'
cache (digitnet.store) under the SHA-256 of its bytes, in a folder named by the version of
the code and settings that made it. A rerun prepares only images whose bytes are new (an
added or edited photo); a deleted photo's entry is pruned. The network's predictions are not
cached: each image's digits are a batched forward pass of their own, so an image reads the same
whatever else is in the folder.
"""

import functools
import json
import logging
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitnet import preparations, preprocess, segment
from digitnet.errors import DamagedFile
from digitnet.files import read_npz
from digitnet.image.load import ImageError, thumbnail_of, to_grayscale
from digitnet.image.page import open_page
from digitnet.preparations import prepare_digit
from digitnet.segment import SHEET_WORK_SIZE, looks_like_sheet, segment_gray
from digitnet.step import atomic_path
from digitnet.store import Shelf, code_digest, file_digest

MODES = ("auto", "single", "sheet")
THUMBNAIL = {"single": 96, "sheet": 360, "error": 96}  # longest side kept for the report's gallery
# Below this many images to prepare, starting worker processes costs more than it saves.
PARALLEL_FROM = 8


@dataclass
class Reading:
    """How one image was prepared: its pieces (one for a single digit), and each piece's preparations.

    kind: "single" (one digit), "sheet" (several) or "error" (unreadable; see error).
    pixels : (n, 784) float32 in [0, 1], MNIST-style digits, white on black: every preparation
    of every piece (digitnet.preparations), in reading order of the pieces.
    piece : (n,) int, the piece each row of pixels prepares (0..k-1); preparation: (n,) its name.
    boxes : (k, 4) int, (left, top, right, bottom) of each piece in the read image's pixels
    (the page, straightened, when the photo showed one on a desk).
    rows : (k,) int, the row of each piece (0 for a single digit).
    ink : (k,) float32, share of each piece's first preparation's 28 x 28 pixels above 0.5.
    size: (width, height) of the read image; thumbnail : (h, w, 3) uint8, longest side at most
    THUMBNAIL[kind].
    """

    kind: str
    pixels: np.ndarray
    boxes: np.ndarray
    rows: np.ndarray
    ink: np.ndarray
    piece: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    preparation: list[str] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)
    thumbnail: np.ndarray = field(default_factory=lambda: np.zeros((1, 1, 3), np.uint8))
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def pieces(self) -> int:
        """k, the number of digits found."""
        return len(self.boxes)

    def answers(self, predict) -> np.ndarray:
        """(k, 10): each piece's probabilities before calibration, as the network ``predict``
        ((m, 784) -> (m, 10)) reads its preparations (digitnet.preparations: read_rows, combine)."""
        return preparations.combine(preparations.read_rows(predict, self.pixels), self.piece, self.pieces)


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


def single_reading(made: preparations.Preparations, thumbnail: np.ndarray, notes: list[str]) -> Reading:
    """One digit per image: its preparations (digitnet.preparations), as a Reading."""
    height, width = thumbnail.shape[:2]
    first = made.prepared[0]
    return Reading(
        kind="single",
        pixels=made.pixels,
        piece=np.zeros(len(made.names), np.int64),
        preparation=list(made.names),
        boxes=np.array([[0, 0, width, height]]),
        rows=np.zeros(1, np.int64),
        ink=np.array([first.ink_fraction], np.float32),
        size=(width, height),
        thumbnail=shrink(thumbnail, THUMBNAIL["single"]),
        notes=[*notes, *made.notes, *(note for p in made.prepared for note in p.notes)],
    )


def read_sheet(sheet: segment.Sheet, thumbnail: np.ndarray, notes: list[str]) -> Reading:
    """Several digits per image: the pieces that digitnet.segment found, in reading order."""
    if not sheet.pieces:
        raise ImageError("no digits found on the sheet")
    count = len(sheet.pieces)
    return Reading(
        kind="sheet",
        pixels=np.stack([p.pixels for p in sheet.pieces] + [p.plain for p in sheet.pieces]).astype(np.float32),
        piece=np.tile(np.arange(count), 2),
        preparation=["strokes as MNIST's"] * count + ["strokes as written"] * count,
        boxes=np.array([piece.box for piece in sheet.pieces]),
        rows=np.array([piece.row for piece in sheet.pieces]),
        ink=np.array([piece.ink_fraction for piece in sheet.pieces], np.float32),
        size=tuple(sheet.size),
        thumbnail=shrink(thumbnail, THUMBNAIL["sheet"]),
        notes=[*notes, *sheet.notes],
    )


def shown_pixels(reading: Reading, P: np.ndarray) -> np.ndarray:
    """(k, 784): for each piece, the preparation the report shows, the one that reads the
    answer (the mean of all, digitnet.preparations.combine) most surely. P : (n, 10), the
    network's reading of each row of ``reading.pixels``."""
    if reading.pieces == 0:
        return np.zeros((0, 784), np.float32)
    answer = preparations.combine(P, reading.piece, reading.pieces).argmax(axis=1)  # (k,)
    support = P[np.arange(len(P)), answer[reading.piece]]  # (n,) each row's probability of its piece's answer
    best = np.full(reading.pieces, -1.0)
    np.maximum.at(best, reading.piece, support)
    chosen = np.zeros(reading.pieces, dtype=np.int64)
    chosen[reading.piece[::-1]] = np.arange(len(P))[::-1]  # the first row of each piece, by default
    hit = np.flatnonzero(support >= best[reading.piece])
    chosen[reading.piece[hit[::-1]]] = hit[::-1]  # the first row reaching the best
    return reading.pixels[chosen]


@functools.cache
def judge_from(weights: str) -> segment.Judge:
    """The network saved in ``weights``, as the judge that tells digitnet.segment where touching
    digits part; loaded once per process."""
    from digitnet.model import load_model

    return load_model(Path(weights)).predict_proba


def digit_preparations(path: Path, max_megapixels: float) -> tuple[preparations.Preparations, np.ndarray]:
    """Every preparation of one digit's image file as read_image makes them (with each stage's
    image, for the stage-by-stage figure), and an RGB view (h, w, 3) uint8 of what was read."""
    upright, notes = open_page(path, max_megapixels, preprocess.WORK_SIZE)
    made = prepare_digit(to_grayscale(upright))
    made.notes[:0] = notes
    return made, thumbnail_of(upright, preprocess.WORK_SIZE)


def surer_as_sheet(single: Reading, sheet: Reading, judge: segment.Judge) -> bool:
    """Whether an image of digit-sized pieces is several digits rather than one, as far as the
    network ``judge`` can tell: ``single`` is the image read as one digit, ``sheet`` as pieces.

    Three pieces or more are a row or a page. Two may be one digit written in two strokes (a
    wide 0 whose ends do not meet, a 4 lifted off the paper) or two digits ("12"): they are
    two when p(left) p(right) > p(one digit), with p the top probability of an answer (every
    preparation, shifted a pixel each way, averaged: Reading.answers). It is the rule by
    which digitnet.cuts parts two touching digits: the two must together read more surely
    than the one.
    """
    if sheet.pieces != 2:
        return True
    return float(np.prod(sheet.answers(judge).max(axis=1))) > float(single.answers(judge).max())


def read_image(
    path: Path, mode: str, max_megapixels: float, judge: segment.Judge | None = None, max_pieces: int = segment.MAX_PIECES
) -> Reading:
    """Prepare one image as a single digit, a sheet, or whichever it looks like (mode "auto").

    A photo of a page on a darker desk is first cut to the page and straightened (open_page).
    "auto" prepares the image as one digit first; only when its ink looks like several digits
    (Preparations.might_be_sheet) is the image cut into pieces, and it is read as a sheet when
    digitnet.segment finds several digit-sized pieces and, with a ``judge``, those read more
    surely than the one digit (surer_as_sheet). Touching digits of a sheet part where
    the network ``judge`` reads them best, when one is given. A bad image is not an exception
    here: it becomes an "error" Reading whose message says why, so one broken photo never
    stops the others; so does a sheet that cuts into more than ``max_pieces`` pieces.
    """
    try:
        if mode != "sheet":
            made, thumbnail = digit_preparations(path, max_megapixels)
            single = single_reading(made, thumbnail, [])
            if mode == "single" or not made.might_be_sheet():
                return single
        upright, notes = open_page(path, max_megapixels, SHEET_WORK_SIZE)
        sheet = segment_gray(to_grayscale(upright), judge, max_pieces)
        if mode == "sheet" or looks_like_sheet(sheet):
            as_sheet = read_sheet(sheet, thumbnail_of(upright, segment.SHEET_THUMBNAIL), notes)
            if mode == "sheet" or judge is None or surer_as_sheet(single, as_sheet, judge):
                return as_sheet
        return single
    except ImageError as error:
        return error_reading(str(error))


def code_version(settings: dict) -> str:
    """16 hex digits naming the code and settings that prepare images; a change starts a new cache.

    The code is every module of the package's top level and of digitnet/image (where all
    preparation lives): a list kept by hand would miss the next module a preparation imports.
    """
    package = Path(__file__).parent
    return code_digest([*package.glob("*.py"), *(package / "image").glob("*.py")], json.dumps(settings, sort_keys=True))


def save_reading(reading: Reading, path: Path) -> None:
    """Write a Reading to ``path`` (.npz) through a temporary file, so a killed run leaves no half entry."""
    meta = {
        # The entry is named by the SHA-256 of the image it was made from; it carries that name
        # inside too, so an entry copied over another's is told apart (load_cached).
        "source": Path(path).stem,
        "kind": reading.kind,
        "size": list(reading.size),
        "notes": reading.notes,
        "error": reading.error,
        "preparation": reading.preparation,
    }
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(
            f,
            pixels=reading.pixels,
            piece=reading.piece,
            boxes=reading.boxes,
            rows=reading.rows,
            ink=reading.ink,
            thumbnail=reading.thumbnail,
            meta=np.array(json.dumps(meta)),
        )


def load_reading(path: Path) -> Reading:
    """The Reading that ``save_reading`` wrote to ``path``; DamagedFile when the entry is truncated,
    overwritten or not one of ours (never a bare NumPy, json or KeyError)."""
    data = read_npz(path, required=("pixels", "piece", "boxes", "rows", "ink", "thumbnail", "meta"), what="a reading-cache entry")
    try:
        meta = json.loads(str(data["meta"]))
        reading = Reading(
            kind=meta["kind"],
            pixels=data["pixels"],
            piece=data["piece"],
            preparation=meta["preparation"],
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
    pieces = len(reading.boxes)
    rows_fit = len(reading.pixels) == len(reading.piece) == len(reading.preparation)
    pieces_fit = len(reading.rows) == len(reading.ink) == pieces and (reading.piece < max(pieces, 1)).all()
    if reading.pixels.shape[1:] != (784,) or not (rows_fit and pieces_fit):
        raise DamagedFile(path, f"not a reading-cache entry: pixels {reading.pixels.shape} do not match its pieces, boxes, rows and ink")
    return reading


def load_cached(entry: Path, name: str, log: logging.Logger | None) -> Reading | None:
    """The cached Reading of image ``name``, or None when there is none or it is damaged.

    A damaged entry (a disk that filled up, a copy gone wrong, an entry made from another image)
    is deleted and reported as a warning: the image is simply prepared again, which is what the
    cache would have saved.
    """
    if not entry.is_file():
        return None
    try:
        reading = load_reading(entry)
        source = json.loads(str(np.load(entry, allow_pickle=False)["meta"])).get("source")
        if source != entry.stem:
            raise DamagedFile(entry, f"it was made from another image ({str(source)[:12]}...)")
        return reading
    except DamagedFile as error:
        if log is not None:
            log.warning(f"warning: the cached preparation of {name} is damaged, preparing it again ({error.problem})")
        entry.unlink(missing_ok=True)
        return None


def prepare_into_cache(job: tuple[str, str, str, float, str | None, int]) -> None:
    """Prepare one image and store it in the cache: job = (source, cache entry, mode, max_megapixels,
    the weights of the network that judges touching digits or None, max_pieces)."""
    source, entry, mode, max_megapixels, weights, max_pieces = job
    judge = judge_from(weights) if weights is not None else None
    save_reading(read_image(Path(source), mode, max_megapixels, judge, max_pieces), Path(entry))


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
    max_pieces: int = segment.MAX_PIECES,
    shelf: str = "readings",
    prune: bool = True,
) -> FolderReading:
    """Read ``names`` (paths relative to ``folder``), preparing only images not in the cache.

    The preparations live on ``shelf`` of the cache at ``cache_root`` (digitnet.store):
    ``cache_root/shelf/<code_version>/<sha256>.npz``. Entries of other versions and of images
    no longer in the folder are removed, so the shelf holds exactly the current folder. A
    damaged entry counts as missing (``load_cached``: a warning goes to ``log``). Images to
    prepare are spread over ``workers`` processes. The network in ``weights``, if given, judges
    where a sheet's touching digits part; a sheet's pieces then depend on it, so unless every
    image is read as a single digit, its bytes name the version too. With ``prune`` False
    nothing is removed: a step that reads part of the folder (the labelled images) shares the
    shelf of the step that reads all of it.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    judged = weights is not None and mode != "single"
    model = file_digest(Path(weights)) if judged else None
    version = code_version({"mode": mode, "max_megapixels": max_megapixels, "model": model, "max_pieces": max_pieces})
    cache = Shelf(cache_root, shelf, version, prune=prune)
    entries = {name: cache.entry(file_digest(folder / name), ".npz") for name in names}
    loaded: dict[Path, Reading] = {}
    for name, entry in entries.items():
        if entry not in loaded and (reading := load_cached(entry, name, log)) is not None:
            loaded[entry] = reading
    missing = {name: entry for name, entry in entries.items() if entry not in loaded}
    # Two files with the same bytes share one entry, prepared once.
    first_of = {entry: name for name, entry in reversed(missing.items())}
    judge_weights = str(weights) if judged else None
    jobs = [(str(folder / name), str(entry), mode, max_megapixels, judge_weights, max_pieces) for entry, name in first_of.items()]
    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(prepare_into_cache, jobs, chunksize=4))
    else:
        for job in jobs:
            prepare_into_cache(job)
    loaded |= {entry: load_reading(entry) for entry in first_of}
    if prune:
        cache.keep_only(set(entries.values()))
    return FolderReading(
        readings=[loaded[entries[name]] for name in names],
        hashes=[entries[name].stem for name in names],
        prepared=sorted(missing),
        cached=len(names) - len(missing),
    )
