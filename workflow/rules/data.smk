# Data: download (when no local copy is configured), then normalize and split.


rule download_mnist:
    input:
        lib("data/download"),
    output:
        "resources/{dataset}/{name}",
    log:
        "logs/download_mnist/{dataset}_{name}.log",
    benchmark:
        "benchmarks/download_mnist/{dataset}_{name}.tsv"
    wildcard_constraints:
        dataset="|".join(CHECKSUMS),
        name="|".join(n.replace(".", r"\.") for n in CHECKSUMS["mnist"]),
    conda:
        "../envs/digitnet.yaml"
    params:
        mirrors=lambda wildcards: config["data"]["mirrors"][wildcards.dataset],
        timeout=config["data"]["timeout_seconds"],
    script:
        "../../scripts/download_mnist.py"


rule prepare_data:
    input:
        **RAW_FILES,
        code=lib("data/formats", "data/sources", "data/prepare"),
    output:
        train="results/data/train.npz",
        val="results/data/val.npz",
        test="results/data/test.npz",
    log:
        "logs/prepare_data.log",
    benchmark:
        "benchmarks/prepare_data.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        format=RAW_FORMAT,
        roles=list(RAW_FILES),
        split=config["split"],
    script:
        "../../scripts/prepare_data.py"
