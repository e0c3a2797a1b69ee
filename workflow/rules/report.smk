# The report: one self-contained HTML file with every result and figure embedded.

# Figure name -> PNG, in the report's reading order.
FIGURES = {name: f"results/figures/{name}.png" for name in FIGURE_RULES}


rule report:
    input:
        **FIGURES,
        metrics="results/eval/metrics.json",
        meta="results/model/model.json",
        history="results/model/history.csv",
        explain="results/explain/explain.md",
        custom="results/custom/summary.json",
        custom_figures=expand("results/custom/{name}/steps.png", name=CUSTOM_IMAGES),
        trace="results/trace/step.npz",
        benchmarks=rule_benchmarks,
        template="report_templates/report.html.j2",
        css="report_templates/report.css",
        playground="report_templates/playground.js",
        network="results/report/network.json",
        code=lib("report", "markdown", "trace", *MODEL),
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
        figures=list(FIGURES),
        custom_images=CUSTOM_IMAGES,
    script:
        "../../scripts/report.py"
