"""Download the official MNIST files from public mirrors, verified by SHA-256.

A file is streamed to a temporary ``.part`` name beside its destination and moved
into place (an atomic rename) only after its decompressed content matches the
official checksum. A mirror that fails (HTTP error, connection cut, corrupt or
wrong content) is skipped for the next one; when every mirror fails, DataError
lists what each one did, and nothing is left behind.
"""

import gzip
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path

from digitnet.errors import DataError

# SHA-256 of the decompressed files (the gzip containers differ between mirrors,
# their content does not).
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): Zalando's clothing images in MNIST's format,
# checksums of the decompressed files as Debian's dataset-fashion-mnist package ships them.
FASHION_SHA256 = {
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}

CHECKSUMS = {"mnist": MNIST_SHA256, "fashion-mnist": FASHION_SHA256}

CHUNK_BYTES = 1 << 16


def sha256_of_content(path: Path) -> str:
    """SHA-256 of the file's decompressed content (a .gz stream is decompressed on the fly)."""
    digest = hashlib.sha256()
    with gzip.open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, dest: Path, timeout: float, progress: Callable[[str], None]) -> None:
    """Stream ``url`` into ``dest``; raise OSError (or a subclass) on any HTTP or transfer problem."""
    with urllib.request.urlopen(url, timeout=timeout) as response, open(dest, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0)
        received, next_report = 0, 0.25
        while chunk := response.read(CHUNK_BYTES):
            out.write(chunk)
            received += len(chunk)
            if total and received / total >= next_report:
                progress(f"  {received / total:4.0%} of {total / 1e6:.2f} MB")
                next_report += 0.25
        if total and received != total:
            raise OSError(f"transfer cut after {received} of {total} bytes")


def download_verified(
    name: str,
    expected_sha256: str,
    mirrors: list[str],
    dest: Path,
    timeout: float = 30.0,
    progress: Callable[[str], None] = print,
) -> Path:
    """Fetch ``name`` from the first mirror that serves it intact and move it to ``dest``.

    mirrors: base URLs, each ending in ``/``; the file's URL is base + name.
    Raises DataError when no mirror delivers content with the expected SHA-256.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for base in mirrors:
        url = base + name
        progress(f"downloading {url}")
        fd, part_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        os.close(fd)
        part = Path(part_name)
        try:
            fetch(url, part, timeout, progress)
            actual = sha256_of_content(part)
            if actual != expected_sha256:
                failures.append(f"{url}: content SHA-256 {actual[:12]}... does not match the official {expected_sha256[:12]}...")
                continue
            os.replace(part, dest)
            progress(f"verified {dest.name} (SHA-256 {expected_sha256[:12]}...)")
            return dest
        except urllib.error.HTTPError as error:
            failures.append(f"{url}: HTTP {error.code} {error.reason}")
        except (OSError, EOFError, zlib.error, ValueError) as error:
            failures.append(f"{url}: {error or type(error).__name__}")
        finally:
            part.unlink(missing_ok=True)
        progress(f"  failed: {failures[-1]}")
    raise DataError(
        f"could not download {name}: every mirror failed ({'; '.join(failures)}); "
        "set data_dir in config.yaml to a folder with the MNIST files to work offline"
    )
