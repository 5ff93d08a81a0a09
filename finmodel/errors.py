"""Errors raised by finmodel.

Every error about user input names where it happened: the file (when there is
one) and the dotted path of the field inside it, so that the CLI can print a
single line such as::

    inputs/migenix.yaml: company.cash.amount: expected a number >= 0, found -5
"""

from __future__ import annotations

__all__ = ["FinmodelError", "InputError", "ExtractionError"]


class FinmodelError(Exception):
    """Base class of every error finmodel raises on purpose."""


class InputError(FinmodelError, ValueError):
    """Bad user input: a scenario file, an override, a time phrase, a path.

    Parameters
    ----------
    message : str
        What was expected and what was found, in a few words.
    file : str, optional
        The file the input came from.
    field : str, optional
        Dotted path of the offending field (``company.burn.0.annual``).
    """

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        self.message = message
        self.file = None if file is None else str(file)
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.field) if part)
        return f"{where}: {self.message}" if where else self.message

    def located(self, *, file: str | None = None, field_prefix: str | None = None) -> InputError:
        """Return a copy with the file set and/or the field path prefixed."""
        field = self.field
        if field_prefix:
            field = f"{field_prefix}.{field}" if field else field_prefix
        return InputError(self.message, file=file or self.file, field=field)


class ExtractionError(FinmodelError):
    """A release could not be read (unreadable file, undecodable bytes)."""
