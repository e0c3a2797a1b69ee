# Data: download (when no local copy is configured), then normalize and split.


rule download_mnist:
    input:
        lib("data/download"),
    output:
        "resources/mnist/{name}",
    log:
        "logs/download_mnist/{name}.log",
    benchmark:
        "benchmarks/download_mnist/{name}.tsv"
    wildcard_constraints:
        name="|".join(n.replace(".", r"\.") for n in MNIST_SHA256),
    conda:
        "../envs/digitnet.yaml"
    params:
        data=config["data"],
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
