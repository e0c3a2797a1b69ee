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
