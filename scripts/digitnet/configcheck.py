"""Check the configuration against its JSON schema, one readable line per problem, naming where each value came from."""

from pathlib import Path

import numpy as np

from digitnet.errors import ConfigError

# The configuration's layers, in the order Snakemake merges them (later ones win):
# [(where, settings)], such as [("config.yaml", {...}), ("--configfile test.yaml", {...}), ("--config", {...})].
Sources = list[tuple[str, dict]]


def config_problems(config: dict, schema_path: Path, sources: Sources = ()) -> list[str]:
    """Every way ``config`` breaks the schema, as lines like ``train.epochs: 'ten' is not of type 'integer'``.

    Lists all problems at once (not just the first), each located by its dotted key,
    so a user fixes them in one go. With ``sources`` (the layers ``config`` was merged
    from), a value that came from a command-line option says so: ``(from --config)``.
    """
    import jsonschema  # here, not at the top: steps import this module for check_index alone
    import yaml

    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        where = ".".join(str(part) for part in error.path) or "(top level)"
        message = error.message
        key_path = list(error.path)
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            message += f"; allowed keys here: {', '.join(allowed)}"
            key_path += [key for key in error.instance if key not in allowed][:1]
        problems.append(f"{where}: {message}{source_note(sources, key_path)}")
    return problems


def value_source(sources: Sources, key_path: list) -> str | None:
    """Which layer of ``sources`` the value at ``key_path`` comes from: the last that sets it (None: a default)."""
    for name, layer in reversed(sources):
        node = layer
        for part in key_path:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                break
        else:
            return name
    return None


def source_note(sources: Sources, key_path: list) -> str:
    """`` (from --configfile x.yaml)`` when the value came from an option, else "" (config.yaml or a default)."""
    source = value_source(sources, key_path)
    return f" (from {source})" if source is not None and source != sources[0][0] else ""


def invalid_header(problems: list[str]) -> str:
    """The first line above ``problems``: config.yaml when every bad value is its own, else the configuration."""
    return "the configuration is not valid" if any(" (from --config" in line for line in problems) else "config.yaml is not valid"


def check_index(key: str, index: int, count: int, what: str) -> int:
    """``index`` if it picks one of ``count`` items, else a ConfigError naming ``key`` and the valid range.

    For settings whose range the schema cannot know, as it depends on the data
    (``figures.digit`` must be below the number of test images).
    """
    if not 0 <= index < count:
        raise ConfigError(
            f"{key}: {index} is out of range, as the {what} has {count} images: "
            f"set {key} to a number from 0 to {count - 1} in config.yaml"
        )
    return index


def stack_problems(stack: list[dict], key: str, image_size: int = 28) -> list[str]:
    """One line for the first layer of ``stack`` whose window does not fit the feature maps it would get.

    The images are ``image_size`` pixels square (28 for every data set digitnet reads), so
    a convolution's kernel or a pooling window can be too large for what the layers before
    leave: n' = (n + 2 padding - size) // stride + 1 must stay at least 1. Each layer is
    built from its entry and asked for its ``window()`` and ``output_shape``, so a new layer
    type with a window is checked too. ``key`` names the stack in the messages (``model.layers``).
    """
    # Imported here: only this check needs the layer classes, not every step that reads configcheck.
    from digitnet.model import layer_type

    shape: tuple[int, ...] = (1, image_size, image_size)
    rng = np.random.default_rng(0)  # the weights drawn are thrown away; only shapes matter
    for i, entry in enumerate(stack):
        cls = layer_type(entry["type"])
        if cls.input_rank == 1:
            break  # vectors from here on: no window is left to fit
        layer = cls.from_config(entry, shape, rng, None, np.float32)
        out = layer.output_shape(shape)
        if layer.window() is not None and min(out[1:]) < 1:
            window, _, padding = layer.window()
            size = shape[1]
            return [
                f"{key}[{i}]: a {window} x {window} {entry['type']} window does not fit the {size} x {size} maps "
                f"it gets (with padding {padding}): make it at most {size + 2 * padding}, or remove layers before it"
            ]
        shape = out
    return []
