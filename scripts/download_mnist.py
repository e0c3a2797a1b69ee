"""Step: download one official MNIST or Fashion-MNIST file, verified by its SHA-256 (rule download_mnist)."""

from pathlib import Path

from digitnet.data.download import CHECKSUMS, download_verified
from digitnet.step import run_step


def main(log) -> None:
    dest = Path(snakemake.output[0])
    checksum = CHECKSUMS[snakemake.wildcards.dataset][dest.name]
    download_verified(dest.name, checksum, snakemake.params.mirrors, dest, timeout=snakemake.params.timeout, progress=log.info)


run_step(snakemake, main)
