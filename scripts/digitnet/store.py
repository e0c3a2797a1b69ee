"""One content-addressed cache for everything made from the custom images: their preparations and
the figures of their stages.

A thing made from an input is kept under the hash of that input, on a shelf (what kind of
thing) in a folder named by the version of the code and settings that made it:

    <root>/<shelf>/<version>/<key><suffix>      e.g. results/custom/cache/readings/3f0c.../9a1e....npz

So a rerun finds every thing whose input, code and settings are unchanged, and makes only the
rest; a change of code or settings starts a new version folder, and the old one is removed.
Keys and versions are SHA-256 hex digests (``digest``), so the same bytes always find the same
entry, whichever run or process made it.
"""

import hashlib
import os
import shutil
import stat
from pathlib import Path


def digest(*parts: bytes | str) -> str:
    """SHA-256 hex digest of the parts, each length-prefixed so ("ab", "c") and ("a", "bc") differ."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes. A file that cannot be read hashes as its error, so it is tried
    again next run; what is not a regular file is never opened (reading a FIFO would block)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "not-a-file-" + hashlib.sha256(str(path).encode()).hexdigest()
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as error:
        return "unreadable-" + hashlib.sha256(str(error).encode()).hexdigest()


def code_digest(files: list[Path], settings: str = "") -> str:
    """16 hex digits naming a version: the bytes of the code files (in sorted order, with their
    names) and the settings, already written as text (JSON with sorted keys)."""
    parts = [settings]
    for path in sorted(Path(file) for file in files):
        parts += [path.name, path.read_bytes()]
    return digest(*parts)[:16]


class Shelf:
    """The entries of one kind of thing made by one version of the code: ``root/name/version/``.

    Opening a shelf with ``prune`` removes the other versions of that shelf (code or settings
    changed: their entries will never be found again). Shelves never touch each other, so two
    steps that run at once may each keep a shelf under the same root.
    """

    def __init__(self, root: Path, name: str, version: str, prune: bool = True):
        self.folder = Path(root) / name / version
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.parent.iterdir() if prune else ():
            if stale != self.folder:
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()

    def entry(self, key: str, suffix: str) -> Path:
        """Where the thing made from the input hashed as ``key`` lives (it may not exist yet)."""
        return self.folder / f"{key}{suffix}"

    def keep_only(self, kept: set[Path]) -> None:
        """Remove every entry not in ``kept``: the shelf then holds exactly what the current inputs use."""
        for entry in self.folder.iterdir():
            if entry not in kept:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
