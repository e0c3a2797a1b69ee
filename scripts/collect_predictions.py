"""Step: score every custom image against its label and sum up (rule collect_predictions)."""

import csv

from digitnet.custom import (
    SUMMARY_COLUMNS,
    accuracy_summary,
    calibration,
    confusion_pairs,
    labelled_confidences,
    needs_a_look,
    plural,
    score,
    summary_row,
)
from digitnet.files import read_json
from digitnet.step import atomic_path, run_step, write_json


def main(log) -> None:
    readings = read_json(snakemake.input.readings)
    labels = snakemake.params.labels
    images = [score(image, labels.get(image["file"])) for image in readings["images"]]
    # The top of the folder first, then each sub-folder by name.
    groups = sorted({image["group"] for image in images}, key=lambda group: (group != "", group))
    collected = {
        "model": readings["model"],
        "summary": accuracy_summary(images),
        # Accuracy per sub-folder (one per writer, say), when images are grouped in sub-folders.
        "groups": [
            {"name": group or "(top of the folder)", **accuracy_summary([i for i in images if i["group"] == group])}
            for group in groups
        ]
        if groups != [""]
        else [],
        "confusion": confusion_pairs(images).tolist(),
        # How far the confidence can be trusted, on the labelled digits: the report's reliability diagram.
        "calibration": calibration(*labelled_confidences(images), snakemake.params.low_confidence),
        "look": needs_a_look(images, snakemake.params.first_figures, snakemake.params.max_figures),
        "label_warnings": snakemake.params.label_warnings,
        "skipped": snakemake.params.skipped,
        "images": images,
    }
    # The csv module, not pandas: this step runs after every change to the folder, and pandas
    # alone takes longer to import than the step's work.
    with atomic_path(snakemake.output.table) as tmp, open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, SUMMARY_COLUMNS)
        writer.writeheader()
        writer.writerows(summary_row(i) for i in images)
    write_json(collected, snakemake.output.summary)
    summary = collected["summary"]
    log.info(
        f"{summary['read']} of {summary['images']} images read; {plural(summary['errors'], 'error')}; "
        f"{summary['correct']} of {summary['labelled']} labelled images and "
        f"{summary['digits_correct']} of {summary['digits_labelled']} labelled digits right"
    )


run_step(snakemake, main)
