"""A real OpenID Connect provider for the single sign-on tests, and a person signing in at it.

The provider is tests/oidc/provider.mjs (the npm package oidc-provider, installed by
`npm ci --prefix tests/oidc`, which `make test` and .ci/run do) under node, on a free port of
127.0.0.1, stopped when the tests end. Without node the tests skip, saying so; under CI (CI=true)
that is a failure instead.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

NODE = os.environ.get("NODE") or shutil.which("node")
PROVIDER = Path(__file__).parent / "oidc"
CLIENT_ID = "csp-action-plan"
CLIENT_SECRET = "test-only-client-secret"
BACKEND = "people.oidc.OrganisationAccountBackend"


def _node_or_skip() -> str:
    if NODE is None:
        reason = (
            "node is not installed: the single sign-on tests run a real OpenID Connect provider "
            "under node (apt-get install nodejs npm, then npm ci --prefix tests/oidc)."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Under CI a single sign-on test may not skip: {reason}")
        pytest.skip(reason)
    if not (PROVIDER / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "The test provider's packages are not installed: run `npm ci --prefix tests/oidc` "
            "(`make test` does it)."
        )
    return NODE


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_provider(redirect_uris: list[str]) -> Iterator[str]:
    """Start the provider for CSP Action Plan's client with these redirect URIs; yields its issuer
    once it answers, and stops it afterwards."""
    node = _node_or_skip()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": ",".join(redirect_uris),
    }
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            [node, "provider.mjs"], cwd=PROVIDER, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_answering(issuer, process, log)
            yield issuer
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_answering(issuer: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"The test OpenID Connect provider stopped:\n{log.read()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    log.seek(0)
    pytest.fail(f"The test OpenID Connect provider did not answer in 30 s:\n{log.read()}")


def configure(settings, issuer: str) -> None:
    """Single sign-on on, as the environment variables turn it on (csp_plan/settings.py)."""
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.SSO_BUTTON_LABEL = "Sign in with Lichfield District Council"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]


class Person:
    """Someone at the provider's end, with their own browser session there."""

    def __init__(self, email: str) -> None:
        self.email = email
        self.browser = requests.Session()

    def sign_in(self, authorisation_url: str, *, back_to: str) -> str:
        """Follow the button's redirect to the provider, sign in there, and return the address the
        provider sends the browser back to (starting with `back_to`), not yet visited."""
        page = self.browser.get(authorisation_url, timeout=10)
        page.raise_for_status()
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action, page.text
        answer = self.browser.post(
            urljoin(page.url, action.group(1)),
            data={"email": self.email},
            allow_redirects=False,
            timeout=10,
        )
        # The provider's own redirects (back to its authorisation endpoint), until it sends the
        # browser to us.
        for _ in range(10):
            assert answer.status_code in (302, 303), answer.text
            location = urljoin(answer.url, answer.headers["Location"])
            if location.startswith(back_to):
                return location
            answer = self.browser.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("The provider never sent the browser back.")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
