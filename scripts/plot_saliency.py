"""Step: draw saliency maps for the configured digit and one test digit of each class (rule plot_saliency)."""

import numpy as np

from digitnet.configcheck import check_index
from digitnet.files import read_npz
from digitnet.model import load_model
from digitnet.step import run_step, save_figure
from digitnet.trace import saliency
from digitnet.viz.saliency import saliency_figure


def main(log) -> None:
    model = load_model(snakemake.input.weights)
    test = read_npz(snakemake.input.test, required=("X", "y"))
    X, y = test["X"], test["y"]
    digit = check_index("figures.digit", snakemake.params.digit, len(y), "test set")
    # The configured digit first, then the first test image of each other class.
    others = [int(np.flatnonzero(y == k)[0]) for k in range(10) if k != y[digit] and (y == k).any()]
    indices = np.array([digit, *others])
    predicted = model.predict_proba(X[indices]).argmax(axis=1)
    maps = saliency(model, X[indices], predicted)
    save_figure(saliency_figure(X[indices], maps, y[indices], predicted, indices), snakemake.output[0])


run_step(snakemake, main)
