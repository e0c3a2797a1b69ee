# digitnet: MNIST, a neural network written from scratch in NumPy, and a static report.
# Run `snakemake --cores 1`, then open report.html. Settings live in config.yaml.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/predict.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        "report.html",
        # Every model's weights too: a training stopped half-way (a --forcerun interrupted) is
        # continued by a plain rerun, not left missing behind an older report.
        compared_files("results/models/{dataset}/{model}/weights.npz"),
        # Kaggle's digit-recognizer test.csv, when the config names one.
        ["results/kaggle/submission.csv"] if config["kaggle_test_csv"] else [],
