"""Confirming an import imports it exactly once: the token is recorded as done in the import's
own transaction, so an attempt that fails half-way loses nothing and can be confirmed again, and
a confirmation that comes after the import is told it is already done. (Many confirmations at
once against a live server: tests/operations/test_concurrent_confirms.py.)"""

from __future__ import annotations

import hashlib

import pytest
from django.db import OperationalError
from django.test import Client

from actions.models import Action
from planfiles import views
from planfiles.models import ConfirmedImport
from tests.planfiles.conftest import csv_bytes, plan_row
from tests.planfiles.test_pages import CONFIRM_URL, NEW, WORKSPACE_URL, token_of, upload
from tests.snapshots import database_snapshot


@pytest.fixture
def browser(lichfield, coordinator) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    return client


def test_the_import_is_recorded_once_by_its_tokens_digest(browser, coordinator, lichfield):
    token = token_of(upload(browser, csv_bytes([plan_row()])))
    browser.post(CONFIRM_URL, {"token": token})
    done = ConfirmedImport.objects.get()
    assert done.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (done.plan, done.filename, done.confirmed_by) == (lichfield, "plan.csv", coordinator)
    assert token not in str(list(ConfirmedImport.objects.values()))


def test_an_attempt_that_fails_half_way_loses_nothing_and_can_be_confirmed_again(
    browser, monkeypatch
):
    token = token_of(upload(browser, csv_bytes([plan_row()])))
    real_import = views.plan_import

    def locked(**kwargs):
        real_import(**kwargs)  # the import written, then the database fails
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "plan_import", locked)
    before = database_snapshot()
    assert browser.post(CONFIRM_URL, {"token": token}).status_code == 500
    assert database_snapshot() == before  # rolled back, the token with it

    monkeypatch.setattr(views, "plan_import", real_import)
    response = browser.post(CONFIRM_URL, {"token": token}, follow=True)
    assert response.redirect_chain == [(WORKSPACE_URL, 302)]
    assert "Imported plan.csv: 1 action added" in response.content.decode()
    assert Action.objects.filter(description=NEW).count() == 1
    assert ConfirmedImport.objects.count() == 1


def test_a_confirmation_after_the_import_is_told_it_is_done_even_after_a_new_upload(browser):
    token = token_of(upload(browser, csv_bytes([plan_row()])))
    browser.post(CONFIRM_URL, {"token": token})
    token_of(upload(browser, csv_bytes([plan_row(action="A newer file")])))  # the session moves on
    after = database_snapshot()
    response = browser.post(CONFIRM_URL, {"token": token}, follow=True)
    assert "This import is already done" in response.content.decode()
    assert database_snapshot() == after


def test_a_refused_confirmation_records_nothing(browser, police):
    token = token_of(upload(browser, csv_bytes([plan_row()])))
    police.active = False
    police.save()
    assert browser.post(CONFIRM_URL, {"token": token}).status_code == 409
    assert not ConfirmedImport.objects.exists()
