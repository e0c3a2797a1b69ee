# Your digits: every image in custom_digits.folder (and its sub-folders) is prepared the MNIST
# way, read by the network, scored against its label, and the ones that need a look are drawn
# step by step. One job reads the whole folder: a job per image spent about a second starting
# up for ~0.1 s of work. Caching stays per image: the reading step keeps each image's
# preparation under the hash of its bytes, so an added or edited photo is the only one prepared.


rule read_custom_digits:
    input:
        # The folder's images, named in one file (common.smk): a file name is data, and listed
        # here one by one a name with braces would be read as a pattern.
        folder=CUSTOM_MANIFEST,
        weights=READER_WEIGHTS,
        code=lib("read_custom_digits"),
    output:
        readings="results/custom/readings.json",
        images="results/custom/images.npz",
    log:
        "logs/read_custom_digits.log",
    benchmark:
        "benchmarks/read_custom_digits.tsv"
    conda:
        "../envs/digitnet.yaml"
    threads: 2
    params:
        # Functions, not lists: Snakemake expands braces in params strings, and these are file names.
        names=lambda wildcards: CUSTOM_IMAGES + CUSTOM_UNREADABLE,
        model=CUSTOM_MODEL,
        # Not an output: Snakemake would delete it before every run, and with it the cache
        # (the custom images' one cache: their preparations, and the figures of their stages).
        cache="results/custom/cache",
        custom=lambda wildcards: {
            key: config["custom_digits"][key]
            for key in [
                "folder",
                "mode",
                "max_megapixels",
                "max_pieces",
                "low_confidence",
                "low_ink",
                "temperature",
            ]
        },
    script:
        "../../scripts/read_custom_digits.py"


if PLAN.tune_from:

    rule finetune:
        input:
            # Reruns only when a labelled image, a label or the settings change.
            folder=LABELLED_MANIFEST,
            weights=featured(rules.train.output.weights, PLAN.tune_from),
            train=featured(rules.prepare_data.output.train),
            test=featured(rules.prepare_data.output.test),
            code=lib("finetune"),
        output:
            weights=f"{TUNED}/weights.npz",
            history=f"{TUNED}/history.csv",
            batch_losses=f"{TUNED}/batch_losses.csv",
            summary="results/custom/finetune.json",
            digits="results/custom/finetune.npz",
        log:
            "logs/finetune.log",
        benchmark:
            "benchmarks/finetune.tsv"
        conda:
            "../envs/digitnet.yaml"
        threads: 2
        params:
            names=lambda wildcards: [
                name for name in CUSTOM_IMAGES if name in CUSTOM_LABELS
            ],
            labels=lambda wildcards: CUSTOM_LABELS,
            finetune=config["custom_digits"]["finetune"],
            custom=lambda wildcards: {
                key: config["custom_digits"][key]
                for key in ["folder", "mode", "max_megapixels", "max_pieces"]
            },
            cache="results/custom/cache",
            # The reading step's shelf of that cache when it reads with the same model: each image
            # prepared once (this step reads the labelled images alone, so it never prunes it).
            shelf=("readings" if CUSTOM_MODEL == PLAN.tune_from else "tuning-readings"),
            checkpoint=f"results/checkpoints/{TUNED}/checkpoint.npz",
            base=PLAN.tune_from,
        script:
            "../../scripts/finetune.py"

    rule export_tuned_networks:
        input:
            # The reading network before and after learning the handwriting, for the playground.
            weights=[
                featured(rules.train.output.weights, PLAN.tune_from),
                rules.finetune.output.weights,
            ],
            code=lib("export_network"),
        output:
            "results/report/network-original.json",
            "results/report/network-tuned.json",
        log:
            "logs/export_tuned_networks.log",
        benchmark:
            "benchmarks/export_tuned_networks.tsv"
        conda:
            "../envs/digitnet.yaml"
        script:
            "../../scripts/export_network.py"

    rule plot_finetune:
        input:
            summary=rules.finetune.output.summary,
            batch_losses=rules.finetune.output.batch_losses,
            digits=rules.finetune.output.digits,
            code=lib("plot_finetune"),
        output:
            "results/figures/finetune.png",
        log:
            "logs/plot_finetune.log",
        benchmark:
            "benchmarks/plot_finetune.tsv"
        conda:
            "../envs/digitnet.yaml"
        script:
            "../../scripts/plot_finetune.py"


rule collect_predictions:
    input:
        readings=rules.read_custom_digits.output.readings,
        code=lib("collect_predictions"),
    output:
        table="results/custom/predictions.csv",
        summary="results/custom/summary.json",
    log:
        "logs/collect_predictions.log",
    benchmark:
        "benchmarks/collect_predictions.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        labels=lambda wildcards: CUSTOM_LABELS,
        # What is odd in labels.csv, and the files of the folder not read as images, with why: for the report.
        label_warnings=lambda wildcards: CUSTOM_SCAN.label_warnings,
        skipped=lambda wildcards: CUSTOM_SCAN.skipped_notes,
        first_figures=config["custom_digits"]["step_figures"],
        low_confidence=config["custom_digits"]["low_confidence"],
        max_figures=config["custom_digits"]["max_step_figures"],
    script:
        "../../scripts/collect_predictions.py"


rule plot_image_steps:
    input:
        summary=rules.collect_predictions.output.summary,
        images=rules.read_custom_digits.output.images,
        code=lib("plot_image_steps"),
    output:
        directory("results/custom/steps"),
    log:
        "logs/plot_image_steps.log",
    benchmark:
        "benchmarks/plot_image_steps.tsv"
    conda:
        "../envs/digitnet.yaml"
    threads: 2
    params:
        # The reading step's cache, on a shelf of its own (digitnet.store).
        cache="results/custom/cache",
        folder=lambda wildcards: CUSTOM_FOLDER,
        max_megapixels=config["custom_digits"]["max_megapixels"],
    script:
        "../../scripts/plot_image_steps.py"


rule kaggle_submission:
    input:
        test_csv=config["kaggle_test_csv"] or "kaggle/test.csv",
        weights=featured(rules.train.output.weights),
        code=lib("kaggle_submission"),
    output:
        "results/kaggle/submission.csv",
    log:
        "logs/kaggle_submission.log",
    benchmark:
        "benchmarks/kaggle_submission.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/kaggle_submission.py"
