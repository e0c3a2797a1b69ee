"""The report's figures, in one table that the workflow's rules, the report and the tests read."""

# Every figure of the report, in reading order: its name (the PNG's stem, and the key the
# report template shows it by) -> the rule that draws it (figures of the same inputs share one).
FIGURE_RULES = {
    "data_samples": "plot_samples",
    "augmented": "plot_augmented",
    "architecture": "plot_network",
    "forward": "plot_step",
    "backward": "plot_step",
    "weight_update": "plot_step",
    "training_curves": "plot_curves",
    "predictions": "plot_predictions",
    "confusion_matrix": "plot_confusion",
    "mistakes": "plot_mistakes",
    "filters": "plot_network",
    "saliency": "plot_saliency",
    "feature_maps": "plot_feature_maps",
    "comparison": "plot_comparison",
}
# Drawn only for a network with convolution layers: a dense network has no feature maps.
CONVOLUTION_FIGURES = ("feature_maps",)
# Drawn for every compared model, in its own folder; the featured model's copies go in the
# report's main sections too.
MODEL_FIGURES = ("training_curves", "confusion_matrix")


def report_figures(convolutional: bool) -> dict[str, str]:
    """{figure name: rule} of one report, in reading order; the convolution figures only when
    the featured network has convolution layers."""
    return {
        name: rule for name, rule in FIGURE_RULES.items() if convolutional or name not in CONVOLUTION_FIGURES
    }


def figure_path(name: str, featured_folder: str) -> str:
    """Where the featured model's figure ``name`` is drawn, relative to the workflow's folder
    (``featured_folder`` holds that model's results, as results/models/mnist/mlp128)."""
    folder = featured_folder if name in MODEL_FIGURES else "results/figures"
    return f"{folder}/{name}.png"
