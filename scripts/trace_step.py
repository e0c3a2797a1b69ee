"""Step: record one training step on the configured test digit (rule trace_step)."""

from digitnet.configcheck import check_index
from digitnet.files import read_npz
from digitnet.model import load_model
from digitnet.nn.optimizers import make_optimizer
from digitnet.step import atomic_path, run_step
from digitnet.trace import save_trace, trace_training_step


def main(log) -> None:
    train = snakemake.params.train
    test = read_npz(snakemake.input.test, required=("X", "y"))
    digit = check_index("figures.digit", snakemake.params.digit, len(test["y"]), "test set")
    x, label = test["X"][digit], int(test["y"][digit])
    model = load_model(snakemake.input.weights)
    optimizer = make_optimizer(model.parameters(), train)
    trace = trace_training_step(model, optimizer, x, label, lr=train["lr"], l2=train["l2"], index=digit)
    with atomic_path(snakemake.output[0]) as tmp:
        save_trace(trace, tmp)
    log.info(
        f"test digit #{digit} (a {label}): predicted {trace.predicted}, loss {trace.loss_before:.4f} -> {trace.loss_after:.4f}"
    )


run_step(snakemake, main)
