"""Exceptions raised by charles_core. Every message names the problem and the fix."""


class CharlesError(Exception):
    """Base class for every error charles_core raises on purpose."""


class RegistryError(CharlesError, KeyError):
    """An unknown or doubly registered name (backbone, initializer, line, ...)."""

    def __str__(self):  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ConfigError(CharlesError, ValueError):
    """A setting that cannot work: bad value, input below a backbone's minimum, ..."""


class DataError(CharlesError, ValueError):
    """Bad sample data: wrong frame shape, NaN or out-of-range labels."""


class StorageError(CharlesError, OSError):
    """A corrupt, truncated or unreadable file (checkpoint, storage, dataset)."""


class WeightsNotFoundError(CharlesError, FileNotFoundError):
    """A weights file the user has to provide is missing."""


class MissingDependencyError(CharlesError, ImportError):
    """An optional package (or system library) a plugin needs is not installed."""
