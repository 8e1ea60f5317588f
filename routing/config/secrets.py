"""The secrets routing runs with, and `mask`, which takes them out of any text it shows or logs.

Secrets come only from the environment: the SMTP password (`ROUTING_SMTP_PASSWORD`) and the
password of the database URL (`ROUTING_DATABASE_URL`); routing.toml may not hold them (the
schema and `routing.config.database` refuse it). What a driver or a server puts in an error
message is not ours to control, so every message that may carry one (a database that is not
ready, a fault's summary, a delivery error) goes through `mask` before it is shown, stored or
logged. A secret shorter than three characters is not masked: replacing every "ab" in a text
would garble it, and such a password protects nothing anyway.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from urllib.parse import quote, quote_plus, unquote

__all__ = ["MASK", "MaskSecrets", "mask", "secret_values"]

MASK = "***"
SMTP_PASSWORD = "ROUTING_SMTP_PASSWORD"
DATABASE_URL = "ROUTING_DATABASE_URL"
_MIN_LENGTH = 3
_URL_PASSWORD = re.compile(r"^[^:/]+://[^:/@]*:([^@/]*)@")  # scheme://user:password@


def secret_values() -> list[str]:
    """The secrets in force, longest first, each also as a URL writes it (percent-encoded)."""
    found: set[str] = set()
    smtp = os.environ.get(SMTP_PASSWORD, "")
    url_password = _URL_PASSWORD.match(os.environ.get(DATABASE_URL, ""))
    for value in (smtp, unquote(url_password.group(1)) if url_password else ""):
        if len(value) >= _MIN_LENGTH:
            found |= {value, quote(value, safe=""), quote_plus(value)}
    return sorted(found, key=len, reverse=True)


def mask(text: str) -> str:
    """`text` with every secret in force replaced by ***."""
    for value in secret_values():
        text = text.replace(value, MASK)
    return text


class MaskSecrets(logging.Filter):
    """A logging filter that masks the secrets in a record's message and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask("".join(traceback.format_exception(*record.exc_info))).rstrip()
        return True
