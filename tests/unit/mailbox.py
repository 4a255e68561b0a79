"""A mail queue for unit tests: records each mail and how many transactions had committed when
the service handed it over."""

from __future__ import annotations

from dataclasses import dataclass, field

from rhythm.service.accounts.mail import Mail
from tests.unit.rows import Transactions


@dataclass
class Mailbox:
    tx: Transactions
    sent: list[tuple[Mail, int]] = field(default_factory=list)

    def send(self, mail: Mail) -> None:
        self.sent.append((mail, self.tx.committed))

    def only(self) -> Mail:
        [(mail, _)] = self.sent
        return mail

    def token(self, index: int = -1) -> str:
        """The token of a mailed link (the one on its own line that has ``?token=``)."""
        body = self.sent[index][0].body
        [line] = [line for line in body.splitlines() if "?token=" in line]
        return line.split("?token=", 1)[1]
