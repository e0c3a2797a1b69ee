# The report: one self-contained HTML file with every result and figure embedded.


rule report:
    input:
        metrics="results/eval/metrics.json",
        meta="results/model/model.json",
        history="results/model/history.csv",
        curves="results/figures/training_curves.png",
        confusion="results/figures/confusion_matrix.png",
        benchmarks=rule_benchmarks,
        template="report_templates/report.html.j2",
        code=lib("report"),
    output:
        "report.html",
    log:
        "logs/report.log",
    benchmark:
        "benchmarks/report.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        config=config,
    script:
        "../../scripts/report.py"
