# Data: download (when no local copy is configured), then normalize and split.


rule download_mnist:
    input:
        lib("download_mnist"),
    output:
        "resources/{dataset}/{name}",
    log:
        "logs/download_mnist/{dataset}_{name}.log",
    benchmark:
        "benchmarks/download_mnist/{dataset}_{name}.tsv"
    wildcard_constraints:
        dataset=dataset_pattern(),
        name=download_names(),
    conda:
        "../envs/digitnet.yaml"
    params:
        mirrors=lambda wildcards: config["data"]["mirrors"][wildcards.dataset],
        timeout=config["data"]["timeout_seconds"],
    script:
        "../../scripts/download_mnist.py"


rule prepare_data:
    input:
        unpack(raw_inputs),
    output:
        train="results/data/{dataset}/train.npz",
        val="results/data/{dataset}/val.npz",
        test="results/data/{dataset}/test.npz",
    log:
        "logs/prepare_data/{dataset}.log",
    benchmark:
        "benchmarks/prepare_data/{dataset}.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        format=lambda wildcards: RAW[wildcards.dataset][0],
        roles=lambda wildcards: list(RAW[wildcards.dataset][1]),
        split=config["split"],
    script:
        "../../scripts/prepare_data.py"
