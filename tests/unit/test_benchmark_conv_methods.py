"""The benchmark of the convolution's two methods: every case timed both ways, beside the cost model's pick."""

from bench import conv_methods
from digitnet.nn import fourier
from digitnet.nn.conv_run import output_size


def test_each_shape_is_timed_both_ways_in_training_and_forward_alone_and_scored_against_the_models_pick(monkeypatch):
    shapes = [("one channel", 8, 1, 12, 4, 5, 0), ("two channels", 8, 2, 10, 3, 3, 1)]
    monkeypatch.setattr(conv_methods, "SHAPES", shapes)
    rows = conv_methods.measure(repeats=1)
    assert [(r["layer"], r["mode"], r["shape"]["N"]) for r in rows] == [
        (name, mode, images) for name, N, *_ in shapes for mode, images in [("training", N), *(("forward", n) for n in conv_methods.forward_batches())]
    ]
    for r in rows:
        s = r["shape"]
        Ho = output_size(s["H"], s["k"], 1, s["p"])
        cheaper = fourier.fourier_is_cheaper(s["C"], s["F"], s["k"], s["k"], s["H"], s["H"], Ho, Ho, s["L"], s["L"], s["N"], r["mode"] == "training")
        assert r["pick"] == ("fourier" if cheaper else "patches")
        picked, other = (r["fourier_ms"], r["patches_ms"]) if cheaper else (r["patches_ms"], r["fourier_ms"])
        assert r["slowdown"] == picked / min(picked, other) >= 1
    table = conv_methods.table(1, rows)
    assert table.count("\n") == len(rows) + 1 and "| one channel | forward | 512, 1 -> 4, 12 x 12, 5 x 5, 0 (L 12) |" in table
