"""One image never costs more than a stated bound: a 40-megapixel page of dark specks read as a sheet."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
MEMORY_BOUND_MB = 1000  # README, "When something goes wrong": reading one image of 40 MP stays under 1 GB

READ = """
import json, resource, sys
from pathlib import Path
from digitnet.reading import read_image
reading = read_image(Path(sys.argv[1]), "sheet", 40.0)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
print(json.dumps({"kind": reading.kind, "error": reading.error, "pieces": reading.pieces, "peak_mb": peak}))
"""


def test_a_40_megapixel_page_of_specks_is_refused_as_texture_within_the_memory_bound(tmp_path):
    rng = np.random.default_rng(0)
    height, width = 5000, 8000  # 40 MP, the largest custom_digits.max_megapixels allows by default
    paper = np.full((height, width), 230, np.uint8)
    # 20,000 dark specks, each a few pixels across: what a dusty scan or a textured desk gives.
    ys, xs = rng.integers(0, height - 12, 20_000), rng.integers(0, width - 12, 20_000)
    sizes = rng.integers(6, 13, 20_000)
    for y, x, size in zip(ys, xs, sizes, strict=True):
        paper[y : y + size, x : x + size // 2] = 40
    path = tmp_path / "specks.png"
    Image.fromarray(paper).save(path)
    result = subprocess.run([sys.executable, "-c", READ, str(path)], cwd=SCRIPTS, capture_output=True, text=True, check=True)
    read = json.loads(result.stdout)
    print(f"\n40 MP page of specks: peak {read['peak_mb']:.0f} MB")
    assert read["kind"] == "error" and "not a sheet of handwritten digits" in read["error"]
    assert read["peak_mb"] < MEMORY_BOUND_MB
