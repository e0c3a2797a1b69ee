"""Assemble the static HTML report from result files with a Jinja2 template."""

import base64
import io
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import jinja2
import numpy as np
from PIL import Image

# The packages whose versions the report names: the runtime dependencies that shape its results.
RUNTIME_PACKAGES = ["numpy", "pandas", "matplotlib", "pillow", "snakemake", "jinja2"]


def embed_png(path) -> str:
    """A ``data:`` URI holding the PNG, so the report is one file that opens anywhere."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def generation_time(environ: dict) -> str:
    """When the report was generated, as ``YYYY-MM-DD HH:MM UTC``.

    ``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention) replaces the
    clock when it is set, so two builds of the same commit can be identical byte for byte.
    """
    epoch = environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def git_state(folder: Path) -> dict | None:
    """The commit checked out in ``folder`` and whether tracked or new files differ from it.

    None outside a git checkout (a copied or unpacked workflow) or where git is not installed.
    Ignored files (results, logs) do not make the tree dirty.
    """
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, check=True
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain"], cwd=folder, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit, "dirty": bool(changes.strip())}


def package_versions() -> dict[str, str]:
    """{package: installed version} for Python and each of RUNTIME_PACKAGES."""
    return {"python": platform.python_version(), **{name: version(name) for name in RUNTIME_PACKAGES}}


def render(template_path, context: dict) -> str:
    """Render ``template_path`` with ``context``; undefined names are errors, not blanks."""
    template_path = Path(template_path)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_path.parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(template_path.name).render(**context)


def embed_array(image: np.ndarray, fmt: str = "PNG", quality: int = 80) -> str:
    """A ``data:`` URI of image : (h, w) float in [0, 1] or (h, w, 3) uint8, as PNG or JPEG."""
    if image.dtype != np.uint8:
        image = (np.clip(image, 0, 1) * 255).round().astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format=fmt, **({"quality": quality} if fmt == "JPEG" else {"optimize": True}))
    return f"data:image/{fmt.lower()};base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def gallery_images(image: dict, thumbnail: np.ndarray, pixels: np.ndarray) -> dict:
    """What the gallery shows of one custom image: its photo (JPEG), the network's 28 x 28 input(s)
    side by side (PNG; pixels : (k, 784)), and each piece's box in percent of the photo.

    About 3 kB per single-digit photo, so 300 of them fit in a report of a few megabytes.
    """
    shown = {"thumbnail": embed_array(thumbnail, "JPEG", quality=75) if thumbnail.size > 3 else None, "inputs": None, "boxes": []}
    if len(pixels):
        shown["inputs"] = embed_array(pixels.reshape(-1, 28, 28).transpose(1, 0, 2).reshape(28, -1))
    if image.get("pieces"):
        width, height = image["size"]
        shown["boxes"] = [
            {
                "left": 100 * piece["box"][0] / width,
                "top": 100 * piece["box"][1] / height,
                "width": 100 * (piece["box"][2] - piece["box"][0]) / width,
                "height": 100 * (piece["box"][3] - piece["box"][1]) / height,
                "digit": piece["digit"],
                "confidence": piece["confidence"],
            }
            for piece in image["pieces"]
        ]
    return shown
