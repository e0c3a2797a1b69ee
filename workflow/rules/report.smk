# The report: one self-contained HTML file with every result and figure embedded.

# Figure name -> PNG, in the report's reading order.
FIGURES = {name: figure_path(name, FEATURED) for name in FIGURE_RULES}


rule report:
    input:
        **FIGURES,
        metrics=featured(rules.evaluate.output.metrics),
        meta=featured(rules.train.output.meta),
        history=featured(rules.train.output.history),
        comparison_table=rules.compare_models.output.json,
        model_figures=[
            f"results/models/{d}/{m}/{name}.png"
            for d, m in COMPARED
            for name in MODEL_FIGURES
        ],
        explain=rules.explain_step.output[0],
        custom=rules.collect_predictions.output.summary,
        custom_images=rules.read_custom_digits.output.images,
        custom_figures=rules.plot_image_steps.output[0],
        trace=rules.trace_step.output[0],
        benchmarks=rule_benchmarks,
        template="report_templates/report.html.j2",
        css="report_templates/report.css",
        playground="report_templates/playground.js",
        gallery="report_templates/gallery.js",
        network=rules.export_network.output[0],
        # Learning your handwriting, when custom_digits.finetune is on.
        finetune=(
            [rules.finetune.output.summary, rules.plot_finetune.output[0]]
            if PLAN.tune_from
            else []
        ),
        # The playground's other networks: the reading one before and after learning it.
        tuned_networks=rules.export_tuned_networks.output if PLAN.tune_from else [],
        code=lib("report"),
    output:
        # Made here, then published as report.html (publish_report): a report step that fails
        # loses only its own unfinished page, never the last good report.html.
        "results/report/report.html",
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
        featured=PLAN.featured,
        tune_from=PLAN.tune_from,
    script:
        "../../scripts/report.py"


localrules:
    publish_report,


rule publish_report:
    input:
        rules.report.output[0],
    output:
        "report.html",
    log:
        "logs/publish_report.log",
    conda:
        "../envs/digitnet.yaml"
    params:
        # Copied beside report.html, then renamed over it: a reader sees the old page or the
        # new one, never half of one; a copy that fails is removed (the trap).
        partial=lambda wildcards, output: Path(output[0]).with_name(
            f".{Path(output[0]).name}.partial"
        ),
    # A shell command, not a run: block, which Snakemake runs in a whole new Snakemake that
    # parses the workflow again: 2 s for a copy, on every report.
    shell:
        "trap 'rm -f -- {params.partial:q}' EXIT; cp -- {input:q} {params.partial:q}"
        " && mv -f -- {params.partial:q} {output:q} && echo 'copied {input} to {output}' > {log:q}"
