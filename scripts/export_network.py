"""Step: write trained networks as JSON for the report's playground (rules export_network and
export_tuned_networks): input.weights[i] goes to output[i]."""

from digitnet.export import network_json
from digitnet.model import load_model
from digitnet.step import run_step, write_json


def main(log) -> None:
    for weights, path in zip(snakemake.input.weights, snakemake.output, strict=True):
        model = load_model(weights)
        network = network_json(model)
        write_json(network, path)
        if network["supported"]:
            log.info(f"{weights}: {model}, {model.n_parameters():,} float32 parameters for the playground")
        else:
            log.info(f"{weights}: {model}, no playground: {network['reason']}")


run_step(snakemake, main)
