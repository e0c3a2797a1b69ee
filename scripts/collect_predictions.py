"""Step: gather every custom image's prediction into one table (rule collect_predictions)."""

import json

import pandas as pd

from digitnet.custom import SUMMARY_COLUMNS, summary_row
from digitnet.step import run_step, write_csv, write_json


def main(log) -> None:
    results = [json.loads(open(path).read()) for path in snakemake.input.predictions]
    results += [
        {"file": name, "status": "error", "label": None, "error": "not a readable file"} for name in snakemake.params.unreadable
    ]
    table = pd.DataFrame([summary_row(r) for r in results], columns=SUMMARY_COLUMNS)
    labelled = table[(table["status"] == "ok") & (table["label"] != "")]
    summary = {
        "images": len(table),
        "read": int((table["status"] == "ok").sum()),
        "errors": int((table["status"] != "ok").sum()),
        "labelled": len(labelled),
        "correct": int(labelled["correct"].astype(int).sum()) if len(labelled) else 0,
        "with_warnings": int((table["warnings"] != "").sum()),
    }
    summary["accuracy"] = summary["correct"] / summary["labelled"] if summary["labelled"] else None
    write_csv(table, snakemake.output.table)
    write_json({"summary": summary, "images": results}, snakemake.output.summary)
    log.info(
        f"{summary['read']} of {summary['images']} images read; {summary['errors']} errors; "
        f"{summary['correct']} of {summary['labelled']} labelled images right"
    )


run_step(snakemake, main)
