# The report: one self-contained HTML file with every result and figure embedded.

# Figure name -> PNG, in the report's reading order.
FIGURES = {name: figure_path(name, FEATURED) for name in FIGURE_RULES}


rule report:
    input:
        **FIGURES,
        metrics=f"{FEATURED}/metrics.json",
        meta=f"{FEATURED}/model.json",
        history=f"{FEATURED}/history.csv",
        comparison_table="results/compare/models.json",
        model_figures=[
            f"results/models/{d}/{m}/{name}.png"
            for d, m in COMPARED
            for name in MODEL_FIGURES
        ],
        explain="results/explain/explain.md",
        custom="results/custom/summary.json",
        custom_images="results/custom/images.npz",
        custom_figures="results/custom/steps",
        trace="results/trace/step.npz",
        benchmarks=rule_benchmarks,
        template="report_templates/report.html.j2",
        css="report_templates/report.css",
        playground="report_templates/playground.js",
        gallery="report_templates/gallery.js",
        network="results/report/network.json",
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
        figures=list(FIGURES),
        model_figures=list(MODEL_FIGURES),
        dataset=DATASET,
    script:
        "../../scripts/report.py"
