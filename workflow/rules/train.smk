# Training: the from-scratch network on the prepared training images.


rule train:
    input:
        train="results/data/train.npz",
        val="results/data/val.npz",
        code=lib(*NN_MODULES, "model", "train", "metrics"),
    output:
        weights="results/model/weights.npz",
        meta="results/model/model.json",
        history="results/model/history.csv",
        batch_losses="results/model/batch_losses.csv",
    params:
        model=config["model"],
        train=config["train"],
    threads: 2
    log:
        "logs/train.log",
    benchmark:
        "benchmarks/train.tsv"
    script:
        "../../scripts/train.py"
