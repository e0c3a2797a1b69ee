"""The custom-digits folder: which files are read as images, which are not and why, and their labels.

Run while the workflow is planned, before any job: it decides the reading step's inputs. It
never opens an image (that is the reading step's work, cached per image) and never reads a file
that is not a regular file: a FIFO named like an image would block whoever reads it.
"""

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from digitnet.custom import label_from_name, named, read_labels_csv

# File endings people's photos come in that Pillow cannot decode: what to do instead.
UNSUPPORTED = {
    ".heic": "Pillow cannot decode HEIC (an iPhone's photos): export them as JPEG",
    ".heif": "Pillow cannot decode HEIF: export it as JPEG",
    ".avif": "this Pillow cannot decode AVIF: export it as JPEG or PNG",
    ".pdf": "a PDF is a document, not an image: export its page as PNG",
    ".svg": "an SVG is a drawing's instructions, not pixels: export it as PNG",
}


@dataclass
class FolderScan:
    """What is in the folder.

    images: paths inside the folder (sub-folders included, "anna/3.jpg") of the regular files
    with an image ending, sorted; unreadable: {path: why} of those named like images that are
    not regular readable files (a FIFO, a device, a folder, a broken link); labels: {path: label}
    from labels.csv or the file name; label_warnings: what is odd in labels.csv; skipped:
    {ending: count} of other files, and notes on them (skipped_notes), in words.
    """

    images: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    label_warnings: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def skipped_notes(self) -> list[str]:
        """One line per skipped file ending, saying why and what to do."""
        notes = []
        for ending, count in sorted(self.skipped.items()):
            why = UNSUPPORTED.get(ending, f"{ending or 'no ending'} is not in custom_digits.extensions")
            notes.append(f"{count} file{'s' if count != 1 else ''} ending in {ending or '(none)'} not read: {why}")
        return notes


def walk(folder: Path) -> list[Path]:
    """Every entry under ``folder`` (paths relative to it), following linked sub-folders once
    each (a link back up the tree is not followed again), skipping hidden files and folders."""
    found, seen = [], set()
    for root, folders, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        base = Path(root).relative_to(folder)
        found += [base / name for name in files if not name.startswith(".")]
        # A folder named like an image is listed too: it is reported, never opened.
        found += [base / name for name in folders if Path(name).suffix]
    return found


def why_unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read as an image file, from its status alone (nothing is opened): None when it can."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if stat.S_ISDIR(mode):
        return "a folder, not an image file"
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, device or socket): not opened"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    return None


def scan_folder(folder: Path, extensions: list[str], mode: str, labels_csv: str | None) -> FolderScan:
    """What the reading step reads in ``folder`` (see FolderScan).

    A file is an image when its ending is one of ``extensions`` (any case). Its label comes from
    ``labels_csv`` in the folder when that lists it, else from the digits ending its name
    (custom.label_from_name). Rows of labels.csv for files that are not among the images are a
    warning, as are files labelled twice.
    """
    folder = Path(folder)
    endings = {ending.lower() for ending in extensions}
    scan = FolderScan()
    csv_name = Path(labels_csv).name if labels_csv else None
    for path in sorted(walk(folder)):
        ending = path.suffix.lower()
        if ending not in endings:
            if path.as_posix() != labels_csv and path.name != csv_name and (folder / path).is_file():
                scan.skipped[ending] = scan.skipped.get(ending, 0) + 1
            continue
        why = why_unreadable(folder / path)
        if why is None:
            scan.images.append(path.as_posix())
        else:
            scan.unreadable[path.as_posix()] = why
    scan.labels = {name: label for name in scan.images if (label := label_from_name(name, mode)) is not None}
    table = folder / labels_csv if labels_csv else None
    if table is not None and table.is_file():
        listed, scan.label_warnings = read_labels_csv(table)
        missing = [name for name in listed if name not in scan.images]
        if missing:
            scan.label_warnings.append(f"{table.name} labels {len(missing)} files that are not images of the folder: {named(missing)}")
        scan.labels.update({name: label for name, label in listed.items() if name in scan.images})
    return scan


def labelled_manifest(scan: FolderScan, folder: Path) -> str:
    """The labelled images' state as JSON text: name, size, modification time and label of each.
    It changes exactly when a labelled image or its label does: what fine-tuning learns from."""
    import json

    images = []
    for name in scan.images:
        if name in scan.labels:
            status = os.stat(Path(folder) / name)
            images.append([name, status.st_size, status.st_mtime_ns, scan.labels[name]])
    return json.dumps({"labelled": images}, indent=0, sort_keys=True) + "\n"


def manifest(scan: FolderScan, folder: Path) -> str:
    """The folder's state as JSON text: every image's name, size and modification time (ns), and
    every unreadable file's name and why. It changes exactly when an image is added, removed,
    renamed or edited, so the reading step takes this one file as its input: file names are
    data, and Snakemake would read braces in a name listed as an input as a pattern."""
    import json

    images = []
    for name in scan.images:
        status = os.stat(Path(folder) / name)
        images.append([name, status.st_size, status.st_mtime_ns])
    return json.dumps({"images": images, "unreadable": scan.unreadable}, indent=0, sort_keys=True) + "\n"


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` only when it differs from what is there, so the file's time
    changes only with its content (atomically: a reader never sees half of it)."""
    path = Path(path)
    if path.is_file() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)
