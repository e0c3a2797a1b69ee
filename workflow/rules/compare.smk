# Comparison: every compared model's test accuracy, size, training time and memory in one
# table (from its metrics, model.json and the train rule's benchmark file) and one chart.


rule compare_models:
    input:
        metrics=compared_files(rules.evaluate.output.metrics),
        meta=compared_files(rules.train.output.meta),
        benchmarks=compared_files(rules.train.benchmark),
        code=lib("compare_models"),
    output:
        table="results/compare/models.csv",
        json="results/compare/models.json",
    log:
        "logs/compare_models.log",
    benchmark:
        "benchmarks/compare_models.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        compared=[list(pair) for pair in COMPARED],
        changes={name: MODELS[name]["changes"] for name in MODELS},
    script:
        "../../scripts/compare_models.py"


rule plot_comparison:
    input:
        table=rules.compare_models.output.json,
        code=lib("plot_comparison"),
    output:
        "results/figures/comparison.png",
    log:
        "logs/plot_comparison.log",
    benchmark:
        "benchmarks/plot_comparison.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/plot_comparison.py"
