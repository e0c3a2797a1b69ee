"""Reading the files the workflow wrote itself (.npz, .json, .csv), with one clear line when one is damaged.

A file under results/ can be damaged after the step that wrote it succeeded: a full disk,
a copy gone wrong, an edit by hand. NumPy, json and pandas then fail with messages that
name no file (``File is not a zip file``). These readers turn every such failure into a
DataError that names the file and says how to recover: the workflow made the file, so
``snakemake --forcerun <file>`` rebuilds it and everything made from it.
"""

import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from digitnet.errors import DamagedFile, DataError

# What NumPy, zipfile and json raise on a truncated, overwritten or foreign file.
DAMAGE = (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, zlib.error, UnicodeDecodeError)


def read_npz(path, required: tuple[str, ...] = (), what: str = "a file digitnet wrote") -> dict[str, np.ndarray]:
    """Every array of the .npz at ``path``, read in full, never unpickling anything.

    ``required`` names arrays that must be there. A file holding Python objects (which
    digitnet never writes, and whose unpickling could run any code) is refused before it
    is read; ``what`` names the kind of file in that message ("a digitnet model").
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except ValueError as error:
        # np.load takes any file that is neither .npy nor a zip archive for a pickle.
        if not zipfile.is_zipfile(path):
            raise DamagedFile(path, f"damaged or not {what}: not an .npz archive") from None
        if "allow_pickle" in str(error):
            raise DamagedFile(path, f"not {what}, refused unread: it holds pickled Python objects") from None
        raise DamagedFile(path, f"damaged or not {what} ({error})") from None
    except DAMAGE as error:
        raise DamagedFile(path, f"damaged or not {what} ({type(error).__name__}: {error})") from None
    missing = [key for key in required if key not in arrays]
    if missing:
        raise DamagedFile(path, f"not {what}: it has no {', '.join(map(repr, missing))} array")
    return arrays


def read_json(path) -> dict | list:
    """The JSON document at ``path``."""
    try:
        return json.loads(Path(path).read_text())
    except DAMAGE as error:
        raise DamagedFile(path, f"not valid JSON ({error})") from None


def read_table(path, columns: tuple[str, ...] = ()):
    """The CSV table at ``path`` as a pandas DataFrame; ``columns`` must be among its columns."""
    import pandas as pd  # only the steps that read tables pay for importing pandas

    try:
        table = pd.read_csv(path)
    except (*DAMAGE, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise DamagedFile(path, f"not a readable CSV table ({error})") from None
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise DamagedFile(path, f"the table has no {', '.join(map(repr, missing))} column")
    return table


READERS = {".npz": read_npz, ".json": read_json, ".csv": read_table}


def first_damaged(paths) -> DataError | None:
    """The error of the first file in ``paths`` that its reader (by extension) cannot read, else None.

    Run after an unexpected failure, it tells a damaged input apart from a bug.
    """
    for path in map(Path, paths):
        reader = READERS.get(path.suffix)
        if reader is None or not path.is_file():
            continue
        try:
            reader(path)
        except DataError as error:
            return error
    return None
