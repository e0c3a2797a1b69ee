"""Check the configuration against its JSON schema, one readable line per problem, naming where each value came from."""

import re
from functools import cache
from pathlib import Path

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
    validator = schema_validator(str(schema_path))
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


@cache
def schema_validator(schema_path: str):
    """A JSON-schema validator of the schema at ``schema_path``, read once per process.

    The workflow checks the featured model and every compared one against the same
    schema while it parses: reading it once, with libyaml's parser when PyYAML has it,
    keeps that off every run's start-up, a no-op run included.
    """
    import jsonschema  # here, not at the top: steps import this module for check_index alone

    return jsonschema.Draft202012Validator(read_yaml(schema_path))


def fill_defaults(config: dict, schema_path: Path) -> None:
    """Set in ``config``, in place, every key it leaves out that the schema gives a default, nested ones too.

    jsonschema's recipe for defaults (the one ``snakemake.utils.validate(set_default=True)``
    uses), on the schema already read for ``config_problems``: Snakemake's own would read it
    again with a slower YAML parser. Run it on a configuration without problems.
    """
    import jsonschema

    base = jsonschema.Draft202012Validator
    check_properties = base.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if validator.is_type(instance, "object"):
            for name, subschema in properties.items():
                if "default" in subschema:
                    instance.setdefault(name, subschema["default"])
        yield from check_properties(validator, properties, instance, schema)

    filler = jsonschema.validators.extend(base, {"properties": set_defaults})
    filler(schema_validator(str(schema_path)).schema).validate(config)


def read_yaml(path) -> object:
    """The YAML file at ``path``, parsed safely (libyaml's C parser when available: about 10x faster)."""
    import yaml

    return yaml.load(Path(path).read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


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


def invalid_header(problems: list[str], sources: Sources = ()) -> str:
    """The first line above ``problems``: "config.yaml is not valid" only when config.yaml alone
    was read and no problem names an option; else "the configuration is not valid" (a value may
    have come from a --configfile or --config, or been made wrong by one)."""
    options = len(sources) > 1 or any(" (from --config" in line for line in problems)
    return "the configuration is not valid" if options else "config.yaml is not valid"


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


def canonical(value: object) -> object:
    """``value`` in one canonical form: every mapping's keys sorted, at every depth, and a float
    that is a whole number written as an integer (30.0 -> 30), so that the same settings always
    look the same.

    Snakemake reruns a rule when the repr of its params changes, and a mapping's repr follows
    the order its keys arrived in: the same settings merged from config.yaml, a --configfile and
    --config in another order would otherwise retrain a model whose settings did not change.
    """
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def from_command_line(value: object, schema: dict) -> object:
    """``value`` with every string that the schema wants as a number, integer, boolean or null made
    one: Snakemake passes ``--config train={epochs: 2}``'s 2 as the string "2", which the same
    setting in a YAML file gives as a number. Nested mappings and lists follow their schema (the
    first alternative of a oneOf that fits); a string the schema takes as a string stays one.
    """
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        kind = "array" if isinstance(value, list) else "object" if isinstance(value, dict) else None
        fitting = [alt for alt in alternatives if kind and kind in _types(alt)]
        return from_command_line(value, fitting[0]) if fitting else value
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        return {key: from_command_line(item, properties.get(key, {})) for key, item in value.items()}
    if isinstance(value, list):
        return [from_command_line(item, schema.get("items", {})) for item in value]
    if isinstance(value, str):
        types, text = _types(schema), value.strip()
        if "string" in types:
            return value
        if "integer" in types and re.fullmatch(r"[+-]?\d+(\.0*)?", text):
            return int(float(text))
        if "number" in types:
            try:
                return float(text)
            except ValueError:
                pass
        if "boolean" in types and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if "null" in types and text.lower() in ("null", "none", "~"):
            return None
    return value


def _types(schema: dict) -> list[str]:
    """The JSON types a schema allows, as a list ("type" may be one name or several)."""
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def source_date_problem(environ) -> str | None:
    """What is wrong with ``SOURCE_DATE_EPOCH`` in ``environ``, in one line; None when it is unset
    or a whole number of seconds since 1970 (checked before any job runs: generation_time reads it)."""
    value = environ.get("SOURCE_DATE_EPOCH", "")
    if not value.strip() or value.strip().isascii() and value.strip().isdigit():
        return None
    return (
        "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 (git log -1 --format=%ct gives one), "
        f"not {value!r}: set it so, or unset it"
    )
