"""Step: measure the trained network on the test set (rule evaluate)."""

import numpy as np
import pandas as pd

from digitnet.files import read_npz
from digitnet.metrics import accuracy, confusion_matrix, per_class_metrics
from digitnet.model import load_model
from digitnet.step import run_step, write_csv, write_json


def main(log) -> None:
    model = load_model(snakemake.input.weights)
    test = read_npz(snakemake.input.test, required=("X", "y"))
    X, y = test["X"], test["y"]
    P = model.predict_proba(X)  # (N, 10)
    predicted = P.argmax(axis=1)
    test_accuracy = accuracy(y, predicted)
    confusion = confusion_matrix(y, predicted, n_classes=10)
    per_class = pd.DataFrame({"digit": np.arange(10), **per_class_metrics(confusion)})
    log.info(f"test accuracy {test_accuracy:.2%} on {len(y):,} images ({int((predicted != y).sum())} mistakes)")

    write_json(
        {
            "test_accuracy": test_accuracy,
            "test_images": int(len(y)),
            "mistakes": int((predicted != y).sum()),
            "per_class": per_class.to_dict(orient="records"),
            "confusion_matrix": confusion.tolist(),
        },
        snakemake.output.metrics,
    )
    write_csv(per_class, snakemake.output.per_class)
    write_csv(
        pd.DataFrame(confusion, index=pd.Index(range(10), name="true"), columns=[f"pred_{k}" for k in range(10)]).reset_index(),
        snakemake.output.confusion,
    )
    predictions = pd.DataFrame({"index": np.arange(len(y)), "label": y, "predicted": predicted, "confidence": P.max(axis=1)})
    probabilities = pd.DataFrame(P, columns=[f"p{k}" for k in range(10)])
    write_csv(pd.concat([predictions, probabilities], axis=1), snakemake.output.predictions)


run_step(snakemake, main)
