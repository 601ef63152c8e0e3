"""An e-mail backend that hangs mid-send (after saying so in a marker file), so that a test can
kill the worker while it is sending."""

import os
import pathlib
import time
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        pathlib.Path(os.environ["SLOW_EMAIL_MARKER"]).write_text("sending")
        time.sleep(120)
        return 0
