# Training: the from-scratch network on the prepared training images.


rule train:
    input:
        train="results/data/train.npz",
        val="results/data/val.npz",
        code=lib(*NN_MODULES, "model", "train", "metrics", "augment"),
    output:
        weights="results/model/weights.npz",
        meta="results/model/model.json",
        history="results/model/history.csv",
        batch_losses="results/model/batch_losses.csv",
    log:
        "logs/train.log",
    benchmark:
        "benchmarks/train.tsv"
    conda:
        "../envs/digitnet.yaml"
    threads: 2
    params:
        model=config["model"],
        train=config["train"],
    script:
        "../../scripts/train.py"
