# Your digits: each image in custom_digits.folder is prepared the MNIST way, read by the
# network and drawn step by step; one job per image, so adding an image runs only its jobs.


wildcard_constraints:
    name=r"[^/]+",


rule preprocess_image:
    input:
        image=f"{CUSTOM_FOLDER}/{{name}}",
        code=lib("preprocess"),
    output:
        pixels="results/custom/{name}/digit.npz",
        status="results/custom/{name}/preprocess.json",
    log:
        "logs/preprocess_image/{name}.log",
    benchmark:
        "benchmarks/preprocess_image/{name}.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        max_megapixels=config["custom_digits"]["max_megapixels"],
    script:
        "../../scripts/preprocess_image.py"


rule predict_image:
    input:
        pixels="results/custom/{name}/digit.npz",
        status="results/custom/{name}/preprocess.json",
        weights=f"{FEATURED}/weights.npz",
        code=lib(*MODEL, "custom"),
    output:
        "results/custom/{name}/prediction.json",
    log:
        "logs/predict_image/{name}.log",
    benchmark:
        "benchmarks/predict_image/{name}.tsv"
    conda:
        "../envs/digitnet.yaml"
    params:
        label=lambda wildcards: CUSTOM_LABELS.get(wildcards.name),
        custom=config["custom_digits"],
    script:
        "../../scripts/predict_image.py"


rule plot_image_steps:
    input:
        pixels="results/custom/{name}/digit.npz",
        prediction="results/custom/{name}/prediction.json",
        code=lib(*VIZ, "viz/custom"),
    output:
        "results/custom/{name}/steps.png",
    log:
        "logs/plot_image_steps/{name}.log",
    benchmark:
        "benchmarks/plot_image_steps/{name}.tsv"
    conda:
        "../envs/digitnet.yaml"
    script:
        "../../scripts/plot_image_steps.py"


rule collect_predictions:
    input:
        predictions=expand("results/custom/{name}/prediction.json", name=CUSTOM_IMAGES),
        code=lib("custom"),
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
        unreadable=CUSTOM_UNREADABLE,
    script:
        "../../scripts/collect_predictions.py"


rule kaggle_submission:
    input:
        test_csv=config["kaggle_test_csv"] or "kaggle/test.csv",
        weights=f"{FEATURED}/weights.npz",
        code=lib(*MODEL, "data/formats", "data/prepare"),
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
