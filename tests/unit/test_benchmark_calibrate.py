"""The calibration benchmark's fit: it finds the temperature that was put in, and the threshold that meets its catch."""

import numpy as np
import pytest

from bench.calibrate import CATCH, caught, choose_threshold, fit_temperature


def read_set(rng: np.random.Generator, n: int, temperature: float, half: str) -> dict:
    """n digits whose true chance of each label is softmax(z), read by a network that reports
    softmax(z / temperature): too sure below 1, too modest above."""
    z = rng.normal(0, 2.5, (n, 10))
    truth = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(10, p=p) for p in truth])
    reported = np.exp(z / temperature) / np.exp(z / temperature).sum(axis=1, keepdims=True)
    return {"half": np.full(n, half), "label": labels, "P": reported.astype(np.float32), "pieces": {}}


@pytest.mark.parametrize("modest", [0.5, 2.0])
def test_the_fitted_temperature_undoes_a_network_too_sure_or_too_modest(rng, modest):
    read = {name: read_set(rng, 1500, modest, "tune") for name in ("load_digits", "postal-like", "photo-like, thumb")}
    temperature, loss = fit_temperature(read)
    assert temperature == pytest.approx(1 / modest, rel=0.15)  # reported z / modest, calibrated by T = 1 / modest
    assert loss[temperature] < loss[1.0]


def test_the_threshold_is_the_lowest_that_catches_its_share_of_the_tune_misreads(rng):
    read = {name: read_set(rng, 1500, 1.0, "tune") for name in ("load_digits", "postal-like", "photo-like, thumb")}
    threshold = choose_threshold(read, 1.0)
    assert caught(read, 1.0, threshold, "tune")[0] >= CATCH
    assert caught(read, 1.0, threshold - 0.05, "tune")[0] < CATCH
