"""The errors digitnet raises on purpose, so step scripts can print them as one line."""


class DigitnetError(Exception):
    """A problem the user can fix (bad input, bad config, diverged training).

    The message is one line that names the file or setting and says what to do.
    Step scripts catch it and print ``error: <message>`` instead of a traceback.
    """


class DataError(DigitnetError):
    """A data file is missing, corrupt or not in the expected format."""


class ConfigError(DigitnetError):
    """config.yaml asks for something inconsistent that its schema cannot catch."""


class TrainingDiverged(DigitnetError):
    """The training loss became NaN or infinite."""


class DamagedFile(DataError):
    """A file the workflow wrote cannot be read back: truncated, overwritten or foreign.

    Deleting it is not enough: Snakemake does not remake a missing intermediate file when
    the files made from it are present, so the message names ``--forcerun``.

    ``problem`` is what is wrong with it, without the file name and the advice.
    """

    def __init__(self, path, problem: str) -> None:
        super().__init__(
            f"{path}: {problem}; the workflow made this file: rebuild it and what follows "
            f"by adding --forcerun {path} to the snakemake command"
        )
        self.path, self.problem = path, problem
