# Figures: each one a rule, PNG out, redrawn only when what it shows changes.


rule plot_curves:
    input:
        history="results/model/history.csv",
        batch_losses="results/model/batch_losses.csv",
        code=lib("viz/__init__", "viz/style", "viz/curves"),
    output:
        "results/figures/training_curves.png",
    log:
        "logs/plot_curves.log",
    benchmark:
        "benchmarks/plot_curves.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/plot_curves.py"


rule plot_confusion:
    input:
        metrics="results/eval/metrics.json",
        code=lib("viz/__init__", "viz/style", "viz/confusion"),
    output:
        "results/figures/confusion_matrix.png",
    log:
        "logs/plot_confusion.log",
    benchmark:
        "benchmarks/plot_confusion.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/plot_confusion.py"
