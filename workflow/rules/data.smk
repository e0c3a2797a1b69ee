# Data: download (when no local copy is configured), then normalize and split.


rule download_mnist:
    output:
        "resources/mnist/{name}",
    wildcard_constraints:
        name="|".join(n.replace(".", r"\.") for n in MNIST_SHA256),
    params:
        data=config["data"],
    log:
        "logs/download_mnist/{name}.log",
    benchmark:
        "benchmarks/download_mnist/{name}.tsv"
    input:
        lib("data/download"),
    script:
        "../../scripts/download_mnist.py"


rule prepare_data:
    input:
        **raw_data()[1],
        code=lib("data/formats", "data/sources", "data/prepare"),
    output:
        train="results/data/train.npz",
        val="results/data/val.npz",
        test="results/data/test.npz",
    params:
        format=raw_data()[0],
        roles=list(raw_data()[1]),
        split=config["split"],
    log:
        "logs/prepare_data.log",
    benchmark:
        "benchmarks/prepare_data.tsv"
    script:
        "../../scripts/prepare_data.py"
