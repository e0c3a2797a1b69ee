"""Assemble the static HTML report from result files with a Jinja2 template."""

import base64
from pathlib import Path

import jinja2


def embed_png(path) -> str:
    """A ``data:`` URI holding the PNG, so the report is one file that opens anywhere."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def render(template_path, context: dict) -> str:
    """Render ``template_path`` with ``context``; undefined names are errors, not blanks."""
    template_path = Path(template_path)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_path.parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(template_path.name).render(**context)
