"""The one error of the wire package."""

from __future__ import annotations

from collections.abc import Sequence


class DocumentError(ValueError):
    """A document that passed the schema but is still unusable; ``pointer`` says where.

    ``missing`` tells an absent conditional attribute from a present but wrong one, as
    TS 29.500 has distinct causes for them (MANDATORY_IE_MISSING / _INCORRECT).
    """

    def __init__(
        self, pointer: str, reason: str, *, missing: bool = False, optional: bool = False
    ) -> None:
        super().__init__(f"{pointer}: {reason}")
        self.pointer = pointer
        self.reason = reason
        self.missing = missing
        self.optional = optional
        # Further errors found in the same document, so that all are reported at once.
        self.related: tuple[DocumentError, ...] = ()

    @property
    def all(self) -> tuple[DocumentError, ...]:
        return (self, *self.related)

    @staticmethod
    def together(errors: Sequence[DocumentError]) -> DocumentError:
        """One error to raise for several found in one document (the first carries all)."""
        first, *rest = errors
        first.related = tuple(rest)
        return first
