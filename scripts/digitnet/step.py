"""What every workflow step shares: a log to file and terminal, one-line errors, no partial outputs.

Step scripts call ``run_step(snakemake, main)``. ``main(log)`` does the work and writes
the outputs; ``log`` is a logger that prints to the terminal and to the rule's log file.
When ``main`` raises DigitnetError (bad data, bad config, diverged training) the step
prints ``error: <message>`` as one line, deletes any outputs it had begun to write and
exits with status 1, so Snakemake stops and reruns the step next time.
"""

import io
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from digitnet.errors import DigitnetError


def make_logger(name: str, log_path: str | None) -> logging.Logger:
    """A logger that writes plain lines to stderr and, when given, to ``log_path``."""
    logger = logging.getLogger(f"digitnet.{name}")
    logger.handlers.clear()
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(f"[{name}] %(message)s"))
        logger.addHandler(handler)
    return logger


def run_step(snakemake, main: Callable[[logging.Logger], None]) -> None:
    """Run one workflow step with logging and clean failure (see the module docstring)."""
    log_path = snakemake.log[0] if len(snakemake.log) else None
    log = make_logger(snakemake.rule, log_path)
    try:
        main(log)
        log.info(f"wrote {', '.join(str(path) for path in snakemake.output)}")
    except DigitnetError as error:
        log.error(f"error: {error}")
        remove_outputs(snakemake.output)
        sys.exit(1)
    except BaseException:
        log.exception("unexpected failure")
        remove_outputs(snakemake.output)
        raise


def remove_outputs(outputs) -> None:
    for path in outputs:
        Path(path).unlink(missing_ok=True)


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    Readers never see a half-written file, even when the step is killed mid-write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates the file private (0600); give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(data, path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2) + "\n")


def write_csv(frame, path) -> None:
    """Write a pandas DataFrame as CSV, atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


def save_figure(figure, path) -> None:
    """Save a matplotlib Figure as PNG, atomically (the only place figures are written).

    The picture is reduced to a 256-colour palette: charts have few distinct colours, and
    the file (embedded in the report) becomes about four times smaller with no visible change.
    """
    from PIL import Image  # here, not at the top: only drawing steps save figures

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    buffer.seek(0)
    with Image.open(buffer) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    with atomic_path(path) as tmp:
        palette.save(tmp, format="PNG", optimize=True)
