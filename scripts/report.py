"""Step: render report.html from the results (rule report)."""

import json
import os
from pathlib import Path

import yaml

from digitnet.benchmarks import read_benchmarks
from digitnet.data.classes import CLASS_NAMES, TITLES
from digitnet.files import read_json, read_npz, read_table
from digitnet.markdown import to_html
from digitnet.report import embed_png, gallery_images, generation_time, git_state, package_versions, render
from digitnet.step import atomic_path, run_step
from digitnet.trace import lesson_facts, load_trace


def custom_digits(summary_path, images_path, figures_folder, low_confidence: float, temperature: float = 1.0) -> dict:
    """The custom images' results for the gallery: each with its photo and 28 x 28 input embedded,
    and the stage-by-stage figure of those that need a look."""
    collected = {**read_json(summary_path), "low_confidence": low_confidence, "temperature": temperature}
    figures_folder = Path(figures_folder)
    drawn = read_json(figures_folder / "index.json")
    arrays = read_npz(images_path)
    for n, image in enumerate(collected["images"]):
        image.update(gallery_images(image, arrays[f"thumbnail{n}"], arrays[f"pixels{n}"]))
        image["figure"] = embed_png(figures_folder / drawn[image["file"]]) if image["file"] in drawn else None
    return collected


def compared_models(table_path, figure_paths: list[str], featured: tuple[str, str]) -> list[dict]:
    """The comparison table's rows, each with its figures embedded (by name) and the featured one marked.

    figure_paths are ``results/models/<dataset>/<model>/<figure>.png``. The featured model's
    figures are already in the report's main sections, so they are not embedded twice.
    """
    embedded = {}
    for path in figure_paths:
        *_, dataset, model, file_name = Path(path).parts
        figures = embedded.setdefault((dataset, model), {})
        if (dataset, model) != featured:
            figures[Path(file_name).stem] = embed_png(path)
    rows = read_json(table_path)["models"]
    for row in rows:
        row["figures"] = embedded[(row["dataset"], row["model"])]
        row["featured"] = (row["dataset"], row["model"]) == featured
        row["dataset_title"] = TITLES[row["dataset"]]
    return rows


def playground_networks(network: str, tuned: list[str], featured: str, base: str | None) -> list[dict]:
    """The networks the playground can read with, each {"id" of its JSON block, "label", "json"}:
    the featured one, and, when the report learned a person's handwriting, the reading network
    before (unless it is the featured one) and after. Those the playground cannot run are left out.
    """
    # Embedded in a <script> block: "</" must not appear, or the block would end early.
    choices = [("network", f"{featured}, trained above", network)]
    if tuned:
        original, after = tuned
        if base != featured:
            choices.append(("network-original", f"{base}, before learning your handwriting", original))
        choices.append(("network-tuned", f"{base}-tuned, after learning your handwriting", after))
    networks = []
    for id_, label, path in choices:
        text = Path(path).read_text()
        if id_ == "network" or json.loads(text)["supported"]:
            networks.append({"id": id_, "label": label, "json": text.replace("</", "<\\/")})
    return networks


def main(log) -> None:
    metrics = read_json(snakemake.input.metrics)
    meta = read_json(snakemake.input.meta)
    context = {
        "config_yaml": yaml.safe_dump(snakemake.params.config, sort_keys=False),
        "metrics": metrics,
        "meta": meta,
        "history": read_table(snakemake.input.history).to_dict(orient="records"),
        "figures": {name: embed_png(snakemake.input[name]) for name in snakemake.params.figures},
        "trace": lesson_facts(load_trace(snakemake.input.trace)),
        "custom": custom_digits(
            snakemake.input.custom,
            snakemake.input.custom_images,
            snakemake.input.custom_figures,
            snakemake.params.config["custom_digits"]["low_confidence"],
            snakemake.params.config["custom_digits"]["temperature"],
        ),
        "networks": playground_networks(
            snakemake.input.network,
            list(snakemake.input.tuned_networks),
            snakemake.params.featured,
            snakemake.params.tune_from,
        ),
        "playground": read_json(snakemake.input.network),
        "explain_html": to_html(open(snakemake.input.explain).read()),
        "benchmarks": read_benchmarks(list(snakemake.input.benchmarks)),
        # Learning your handwriting (custom_digits.finetune): its summary and figure, or None.
        "finetune": (
            {**read_json(snakemake.input.finetune[0]), "figure": embed_png(snakemake.input.finetune[1])}
            if len(snakemake.input.finetune)
            else None
        ),
        "title": snakemake.params.config["report"]["title"],
        "dataset": {
            "name": snakemake.params.dataset,
            "title": TITLES[snakemake.params.dataset],
            "classes": CLASS_NAMES[snakemake.params.dataset],
        },
        "compared": compared_models(
            snakemake.input.comparison_table,
            list(snakemake.input.model_figures),
            (snakemake.params.dataset, snakemake.params.config["compare"]["name"]),
        ),
        "generated": generation_time(os.environ),
        # Snakemake runs every job in the workflow's working directory: the checkout, if it is one.
        "git": git_state(Path.cwd()),
        "versions": package_versions(),
    }
    with atomic_path(snakemake.output[0]) as tmp:
        tmp.write_text(render(snakemake.input.template, context))
    log.info(f"wrote {snakemake.output[0]}: test accuracy {metrics['test_accuracy']:.2%}")


run_step(snakemake, main)
