"""Step: predict the digit of one preprocessed custom image (rule predict_image)."""

import json

import numpy as np

from digitnet.custom import prediction_warnings, top_k
from digitnet.model import load_model
from digitnet.step import run_step, write_json


def main(log) -> None:
    status = json.loads(open(snakemake.input.status).read())
    result = {"file": status["file"], "status": status["status"], "label": snakemake.params.label}
    if status["status"] != "ok":
        result["error"] = status["error"]
    else:
        with np.load(snakemake.input.pixels) as data:
            pixels = data["pixels"][None, :]  # (1, 784)
        P = load_model(snakemake.input.weights).predict_proba(pixels)[0]
        top3 = top_k(P, 3)
        cfg = snakemake.params.custom
        result.update(
            probabilities=P.tolist(),
            top3=top3,
            warnings=prediction_warnings(top3[0][1], status["ink_fraction"], cfg["low_confidence"], cfg["low_ink"]),
        )
        log.info(f"{status['file']}: {top3[0][0]} ({top3[0][1]:.1%}), then {top3[1][0]} ({top3[1][1]:.1%})")
    write_json(result, snakemake.output[0])


run_step(snakemake, main)
