"""Step: predict Kaggle's digit-recognizer test.csv and write submission.csv (rule kaggle_submission)."""

import numpy as np
import pandas as pd

from digitnet.data.formats import read_csv_digits
from digitnet.data.prepare import normalize
from digitnet.model import load_model
from digitnet.step import run_step, write_csv


def main(log) -> None:
    images, _ = read_csv_digits(snakemake.input.test_csv, has_labels=False)
    predicted = load_model(snakemake.input.weights).predict_proba(normalize(images)).argmax(axis=1)
    # Kaggle numbers the test images from 1.
    write_csv(pd.DataFrame({"ImageId": np.arange(1, len(predicted) + 1), "Label": predicted}), snakemake.output[0])
    log.info(f"{len(predicted)} predictions; digits predicted per class {np.bincount(predicted, minlength=10).tolist()}")


run_step(snakemake, main)
