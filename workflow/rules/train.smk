# Training: the from-scratch network on the prepared training images, once per compared
# model and data set, each in its own folder (adding a model trains only that model).


rule train:
    input:
        train=rules.prepare_data.output.train,
        val=rules.prepare_data.output.val,
        code=lib("train"),
    output:
        weights="results/models/{dataset}/{model}/weights.npz",
        meta="results/models/{dataset}/{model}/model.json",
        history="results/models/{dataset}/{model}/history.csv",
        batch_losses="results/models/{dataset}/{model}/batch_losses.csv",
    log:
        "logs/train/{dataset}/{model}.log",
    benchmark:
        "benchmarks/train/{dataset}/{model}.tsv"
    # Started before any figure that is ready at the same time: training is the longest step,
    # and the report waits on it (at --cores 2 the reading model starts 3 s sooner).
    priority: 10
    conda:
        "../envs/digitnet.yaml"
    threads: train_threads
    params:
        model=lambda wildcards: MODELS[wildcards.model]["model"],
        train=lambda wildcards: MODELS[wildcards.model]["train"],
        # Saved after every epoch and deleted at the end: a rerun after an interruption
        # continues from there. Not an output, so Snakemake never deletes it on failure.
        checkpoint="results/checkpoints/{dataset}/{model}/checkpoint.npz",
    script:
        "../../scripts/train.py"
