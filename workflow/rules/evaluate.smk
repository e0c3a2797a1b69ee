# Evaluation: each trained network on the official test images, kept apart until now.


rule evaluate:
    input:
        weights=rules.train.output.weights,
        test=rules.prepare_data.output.test,
        code=lib("evaluate"),
    output:
        metrics="results/models/{dataset}/{model}/metrics.json",
        per_class="results/models/{dataset}/{model}/per_class.csv",
        confusion="results/models/{dataset}/{model}/confusion.csv",
        predictions="results/models/{dataset}/{model}/predictions.csv",
    log:
        "logs/evaluate/{dataset}/{model}.log",
    benchmark:
        "benchmarks/evaluate/{dataset}/{model}.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/evaluate.py"
