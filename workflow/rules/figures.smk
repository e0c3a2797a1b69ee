# Figures: PNG out, each redrawn only when what it shows changes. Figures drawn from the same
# inputs share a rule (plot_network, plot_step): each step starts a Python that spends about a
# second importing NumPy and Matplotlib before it draws anything.
# The forward, backward and update figures and the text of explain.md all read one recorded
# training step (trace_step).


rule trace_step:
    input:
        weights=featured(rules.train.output.weights),
        test=featured(rules.prepare_data.output.test),
        code=lib("trace_step"),
    output:
        "results/trace/step.npz",
    log:
        "logs/trace_step.log",
    benchmark:
        "benchmarks/trace_step.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        digit=config["figures"]["digit"],
        train=config["train"],
    script:
        "../../scripts/trace_step.py"


rule explain_step:
    input:
        trace=rules.trace_step.output[0],
        code=lib("explain_step"),
    output:
        "results/explain/explain.md",
    log:
        "logs/explain_step.log",
    benchmark:
        "benchmarks/explain_step.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/explain_step.py"


rule plot_samples:
    input:
        train=featured(rules.prepare_data.output.train),
        code=lib("plot_samples"),
    output:
        "results/figures/data_samples.png",
    log:
        "logs/plot_samples.log",
    benchmark:
        "benchmarks/plot_samples.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        class_names=CLASS_NAMES_SHOWN,
    script:
        "../../scripts/plot_samples.py"


rule plot_augmented:
    input:
        train=featured(rules.prepare_data.output.train),
        code=lib("plot_augmented"),
    output:
        "results/figures/augmented.png",
    log:
        "logs/plot_augmented.log",
    benchmark:
        "benchmarks/plot_augmented.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        augment=config["train"]["augment"],
        seed=config["train"]["seed"],
    script:
        "../../scripts/plot_augmented.py"


rule plot_network:
    input:
        weights=featured(rules.train.output.weights),
        code=lib("plot_network"),
    output:
        architecture="results/figures/architecture.png",
        filters="results/figures/filters.png",
    log:
        "logs/plot_network.log",
    benchmark:
        "benchmarks/plot_network.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/plot_network.py"


rule plot_step:
    input:
        trace=rules.trace_step.output[0],
        code=lib("plot_step"),
    output:
        forward="results/figures/forward.png",
        backward="results/figures/backward.png",
        weight_update="results/figures/weight_update.png",
    log:
        "logs/plot_step.log",
    benchmark:
        "benchmarks/plot_step.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/plot_step.py"


rule plot_predictions:
    input:
        predictions=featured(rules.evaluate.output.predictions),
        test=featured(rules.prepare_data.output.test),
        code=lib("plot_predictions"),
    output:
        "results/figures/predictions.png",
    log:
        "logs/plot_predictions.log",
    benchmark:
        "benchmarks/plot_predictions.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        class_names=CLASS_NAMES_SHOWN,
        digit=config["figures"]["digit"],
    script:
        "../../scripts/plot_predictions.py"


rule plot_curves:
    input:
        history=rules.train.output.history,
        batch_losses=rules.train.output.batch_losses,
        code=lib("plot_curves"),
    output:
        "results/models/{dataset}/{model}/training_curves.png",
    log:
        "logs/plot_curves/{dataset}/{model}.log",
    benchmark:
        "benchmarks/plot_curves/{dataset}/{model}.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/plot_curves.py"


rule plot_confusion:
    input:
        metrics=rules.evaluate.output.metrics,
        code=lib("plot_confusion"),
    output:
        "results/models/{dataset}/{model}/confusion_matrix.png",
    log:
        "logs/plot_confusion/{dataset}/{model}.log",
    benchmark:
        "benchmarks/plot_confusion/{dataset}/{model}.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/plot_confusion.py"


rule plot_mistakes:
    input:
        predictions=featured(rules.evaluate.output.predictions),
        test=featured(rules.prepare_data.output.test),
        code=lib("plot_mistakes"),
    output:
        "results/figures/mistakes.png",
    log:
        "logs/plot_mistakes.log",
    benchmark:
        "benchmarks/plot_mistakes.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        class_names=CLASS_NAMES_SHOWN,
    script:
        "../../scripts/plot_mistakes.py"


rule plot_saliency:
    input:
        weights=featured(rules.train.output.weights),
        test=featured(rules.prepare_data.output.test),
        code=lib("plot_saliency"),
    output:
        "results/figures/saliency.png",
    log:
        "logs/plot_saliency.log",
    benchmark:
        "benchmarks/plot_saliency.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        digit=config["figures"]["digit"],
    script:
        "../../scripts/plot_saliency.py"


rule export_network:
    input:
        weights=[featured(rules.train.output.weights)],
        code=lib("export_network"),
    output:
        "results/report/network.json",
    log:
        "logs/export_network.log",
    benchmark:
        "benchmarks/export_network.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/export_network.py"


rule plot_feature_maps:
    input:
        weights=featured(rules.train.output.weights),
        test=featured(rules.prepare_data.output.test),
        code=lib("plot_feature_maps"),
    output:
        "results/figures/feature_maps.png",
    log:
        "logs/plot_feature_maps.log",
    benchmark:
        "benchmarks/plot_feature_maps.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        digit=config["figures"]["digit"],
    script:
        "../../scripts/plot_feature_maps.py"
