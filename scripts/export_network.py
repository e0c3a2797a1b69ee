"""Step: write the trained network as JSON for the report's playground (rule export_network)."""

from digitnet.export import network_json
from digitnet.model import load_model
from digitnet.step import run_step, write_json


def main(log) -> None:
    model = load_model(snakemake.input.weights)
    network = network_json(model)
    write_json(network, snakemake.output[0])
    if network["supported"]:
        log.info(f"{model}: {model.n_parameters():,} float32 parameters for the playground")
    else:
        log.info(f"{model}: no playground, {network['reason']}")


run_step(snakemake, main)
