"""Step: download one official MNIST file, verified by its SHA-256 (rule download_mnist)."""

from pathlib import Path

from digitnet.data.download import MNIST_SHA256, download_verified
from digitnet.step import run_step


def main(log) -> None:
    dest = Path(snakemake.output[0])
    data = snakemake.params.data
    download_verified(
        dest.name, MNIST_SHA256[dest.name], data["mirrors"], dest, timeout=data["timeout_seconds"], progress=log.info
    )


run_step(snakemake, main)
