"""What every workflow step shares: a log to file and terminal, one-line errors, no partial outputs.

Step scripts call ``run_step(snakemake, main)``. ``main(log)`` does the work and writes
the outputs; ``log`` is a logger that prints to the terminal and to the rule's log file.
However the step ends early, it deletes any outputs it had begun to write, so Snakemake
reruns it next time, and the terminal gets one line:

- DigitnetError (bad data, bad config, a damaged file, diverged training):
  ``error: <message>``, status 1;
- any other exception: a damaged input under results/ is named as above if there is one;
  otherwise ``error: unexpected failure ...`` pointing at the log, which alone holds the
  traceback (once), status 1;
- Ctrl-C (SIGINT) or SIGTERM (a scheduler's time limit): ``interrupted: ...``, status 130.
"""

import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from digitnet.errors import DigitnetError
from digitnet.files import first_damaged


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
    # A scheduler stops a job with SIGTERM; end it like Ctrl-C, cleaning up the same way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        main(log)
        log.info(f"wrote {', '.join(str(path) for path in snakemake.output)}")
    except DigitnetError as error:
        stop(log, snakemake.output, f"error: {error}", 1)
    except KeyboardInterrupt:
        stop(
            log,
            snakemake.output,
            "interrupted: the unfinished outputs of this step were removed; rerun the same snakemake command to continue",
            130,
        )
    except Exception as error:
        # The traceback goes to the log only, once; the terminal gets one line.
        write_to_log_file(log, traceback.format_exc())
        ours = [path for path in snakemake.input if Path(path).parts[:1] == ("results",)]
        damaged = first_damaged(ours)
        if damaged is not None:
            stop(log, snakemake.output, f"error: {damaged}", 1)
        where = f"the traceback is in {log_path}" if log_path else "the traceback is above"
        summary = f"{type(error).__name__}: {error}".splitlines()[0]
        stop(log, snakemake.output, f"error: unexpected failure in step {snakemake.rule} ({summary}); {where}", 1)


def stop(log: logging.Logger, outputs, line: str, status: int) -> None:
    """Print ``line``, delete the step's outputs and exit with ``status``."""
    log.error(line)
    remove_outputs(outputs)
    sys.exit(status)


def write_to_log_file(log: logging.Logger, text: str) -> None:
    """Write ``text`` to the log file alone (stderr when there is none), not to the terminal."""
    files = [handler for handler in log.handlers if isinstance(handler, logging.FileHandler)]
    for handler in files:
        handler.stream.write(text)
        handler.flush()
    if not files:
        sys.stderr.write(text)


def remove_outputs(outputs) -> None:
    """Delete a step's outputs, files and folders alike (a ``directory()`` output is a folder)."""
    for output in outputs:
        path = Path(output)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


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
    The figure is drawn straight into memory rather than through ``savefig``, which would
    encode a PNG only for it to be decoded again here: the same pixels, 0.1-0.2 s sooner for
    each figure (the steps draw about twenty).
    """
    # Here, not at the top: only drawing steps save figures.
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
    palette = pixels.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    with atomic_path(path) as tmp:
        palette.save(tmp, format="PNG", optimize=True)
