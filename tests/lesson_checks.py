"""Checks of the lesson (explain.md) against the recorded step it explains, shared by unit and workflow tests."""

import re

import numpy as np
import pytest

from digitnet.nn.activations import activation_types
from digitnet.trace import StepTrace, first_step_change

NUMBER = r"(-?\d+\.\d+)"


def check_names_only(text: str, activation: str) -> None:
    """The text names ``activation``, its formula and its derivative, and no other activation."""
    layer = activation_types()[activation]()
    assert f"then {activation}" in text and layer.formula in text and layer.derivative in text
    for other in activation_types():
        if other != activation:
            # \b: "relu" must not be found inside "leaky_relu" (the underscore is a word character).
            assert not re.search(rf"\b{other}\b", text), other


def check_worked_numbers(text: str, trace: StepTrace) -> None:
    """Every worked-out weighted sum, filter gradient and update in the text equals the trace's arrays."""
    # Forward: "Z1[0, 3] ... = <sum> + <bias> = <value> (the layer computed <Z>)", one per layer with weights.
    forward = re.findall(rf"Z(\d+)\[([\d, ]+)\][^(]*?= {NUMBER} \+ [^=]*= {NUMBER} \(the layer computed {NUMBER}\)", text)
    assert len(forward) == len(trace.weighted)
    for number, index, _, value, computed in forward:
        Z = trace.weighted[int(number) - 1].output[tuple(int(k) for k in index.split(","))]
        assert float(computed) == pytest.approx(float(Z), abs=1e-6)
        assert float(value) == pytest.approx(float(Z), abs=2e-6)
    # A filter's gradient worked out from dZ and the input, for a convolutional network.
    filters = re.findall(
        rf"`W(\d+)\[(\d+), (\d+), (\d+), (\d+)\]`\. Its gradient.*gives {NUMBER} \(the backward pass computed {NUMBER}\)", text
    )
    assert len(filters) == int(any(r.output.ndim == 4 for r in trace.weighted))
    for number, *index, worked, computed in filters:
        dW = trace.weighted[int(number) - 1].params["W"].grad[tuple(int(k) for k in index)]
        assert float(worked) == pytest.approx(float(dW), abs=2e-6)
        assert float(computed) == pytest.approx(float(dW), abs=1e-6)
    # The update: each weight shown before, by the rule and as the optimizer changed it.
    before = re.findall(rf"- before: {NUMBER}", text)
    by_rule = re.findall(rf"after, by the rule: {NUMBER}", text)
    by_optimizer = re.findall(rf"after, as the optimizer changed it: {NUMBER}", text)
    assert len(before) == len(by_rule) == len(by_optimizer) == 1 + len(filters)
    assert by_rule == by_optimizer


def check_update_is_the_optimizers(trace: StepTrace) -> None:
    """The change recorded for every parameter is the optimizer's first-step rule applied to its gradient."""
    for record in trace.weighted:
        for key, step in record.params.items():
            expected = first_step_change(trace.optimizer, trace.lr, step.grad)
            assert np.allclose(step.change, expected, rtol=1e-4, atol=1e-7), (record.name, key)
