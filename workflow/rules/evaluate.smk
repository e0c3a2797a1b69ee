# Evaluation: the trained network on the official test images, kept apart until now.


rule evaluate:
    input:
        weights="results/model/weights.npz",
        test="results/data/test.npz",
        code=lib(*NN_MODULES, "model", "metrics"),
    output:
        metrics="results/eval/metrics.json",
        per_class="results/eval/per_class.csv",
        confusion="results/eval/confusion.csv",
        predictions="results/eval/predictions.csv",
    log:
        "logs/evaluate.log",
    benchmark:
        "benchmarks/evaluate.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/evaluate.py"
