"""Exceptions raised by hjemme.

::

    HjemmeError
    ├── CatalogueError        a data file is missing, unreadable or fails its schema
    ├── InputError            a value given by a user (CLI option, API field) is invalid
    ├── NotFoundError         an id that does not exist
    ├── ConflictError         the request contradicts stored state (e.g. seeding a full database)
    ├── PermissionDeniedError the caller's role may not do this
    └── InfeasibleError       an engine could not produce a valid result

Adapters translate these into exit codes (CLI: 2 for bad input) and HTTP statuses.
"""

from __future__ import annotations


class HjemmeError(Exception):
    """Base of every error hjemme raises on purpose."""


class CatalogueError(HjemmeError):
    """A catalogue data file is invalid; the message names the file, the key path and the problem."""

    def __init__(self, file: str, path: str, problem: str) -> None:
        self.file = file
        self.path = path
        self.problem = problem
        where = f"{file}: {path}" if path else file
        super().__init__(f"{where}: {problem}")


class InputError(HjemmeError):
    """A user-supplied value is invalid; ``field`` names the offending option or field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class NotFoundError(HjemmeError):
    """The referenced object does not exist."""

    def __init__(self, what: str, ident: object) -> None:
        self.what = what
        self.ident = ident
        super().__init__(f"{what} {ident!r} not found")


class ConflictError(HjemmeError):
    """The request contradicts what is stored."""


class PermissionDeniedError(HjemmeError):
    """The caller's role does not allow this action."""


class InfeasibleError(HjemmeError):
    """An engine could not produce a valid result for its input."""
