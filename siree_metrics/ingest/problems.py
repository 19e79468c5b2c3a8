"""What goes wrong with a partner's file, in words a partner can act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in a file: ``FILE:ROW: COLUMN: message``, ROW as a spreadsheet shows it (header = 1)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class Refused(Exception):
    """The file cannot be read as a table at all; the message is one line meant for the partner."""


def quote(value: object) -> str:
    """A cell value as shown in messages: in single quotes, long values cut, line breaks visible."""
    text = "" if value is None else str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return "'" + text.replace("\r", "\\r").replace("\n", "\\n") + "'"
