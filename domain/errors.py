"""Domain errors, named for what went wrong.

Every error carries a human sentence; the HTTP layer maps each class to a stable
problem `type` (its `code`) and a status once, in one place.
"""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused a command."""

    code = "domain-error"


class InvalidInput(DomainError):
    """A value is malformed or out of range."""

    code = "invalid-input"


class InvalidAmount(InvalidInput):
    """An amount is negative, not finite, or mixes currencies."""

    code = "invalid-amount"


class UnknownCurrency(InvalidInput):
    """A currency code we do not know."""

    code = "unknown-currency"


class InvalidTransition(DomainError):
    """The document's state does not allow this verb."""

    code = "invalid-transition"

    def __init__(self, document: str, state: str, verb: str) -> None:
        super().__init__(f"a {state} {document} cannot be {verb}")
        self.document = document
        self.state = state
        self.verb = verb


class NotFound(DomainError):
    """No document with that id."""

    code = "not-found"


class UnknownLine(NotFound):
    """No line with that id on the document."""

    code = "unknown-line"
