"""Check config.yaml against its JSON schema, one readable line per problem."""

from pathlib import Path

import jsonschema
import yaml


def config_problems(config: dict, schema_path: Path) -> list[str]:
    """Every way ``config`` breaks the schema, as lines like ``train.epochs: 'ten' is not of type 'integer'``.

    Lists all problems at once (not just the first), each located by its dotted key,
    so a user fixes config.yaml in one go.
    """
    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        where = ".".join(str(part) for part in error.path) or "(top level)"
        message = error.message
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            message += f"; allowed keys here: {', '.join(allowed)}"
        problems.append(f"{where}: {message}")
    return problems
