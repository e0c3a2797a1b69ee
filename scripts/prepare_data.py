"""Step: read the raw files, scale to [0, 1] float32, split off validation data (rule prepare_data)."""

import numpy as np

from digitnet.configcheck import check_index
from digitnet.data.prepare import split_dataset
from digitnet.data.sources import load_raw
from digitnet.step import atomic_path, run_step


def main(log) -> None:
    split = snakemake.params.split
    files = {role: snakemake.input[role] for role in snakemake.params.roles}
    log.info(f"reading {snakemake.params.format} files: {', '.join(files.values())}")
    raw = load_raw(snakemake.params.format, files)
    if raw.y_test is None:
        log.info(f"the data has no labelled test set: holding out {split['test_size']} training images as the test set")
    rng = np.random.default_rng(split["seed"])
    parts = split_dataset(raw, split["validation_size"], rng, split["test_size"], split["train_limit"])
    if snakemake.wildcards.dataset == snakemake.config["dataset"]:
        # Checked now, before hours of training, not when the figures are drawn.
        check_index("figures.digit", snakemake.config["figures"]["digit"], len(parts[2].y), "test set")
    for name, part in zip(("train", "val", "test"), parts, strict=True):
        with atomic_path(snakemake.output[name]) as tmp, open(tmp, "wb") as f:
            np.savez(f, X=part.X, y=part.y)
        counts = np.bincount(part.y, minlength=10)
        log.info(
            f"{name}: {len(part.y)} images, float32 in [{part.X.min():.0f}, {part.X.max():.0f}], per digit {counts.tolist()}"
        )


run_step(snakemake, main)
