"""The load balancers' health check: /healthz answers 200 "ok" while the database answers, 503
when it does not; no login, no session, no cookie."""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connections


@pytest.mark.django_db
def test_it_answers_ok_with_a_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_it_sets_no_cookie_and_creates_no_session(client):
    response = client.get("/healthz")
    assert response.cookies == {}
    assert "Set-Cookie" not in response.headers
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_it_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_503_when_the_database_is_down(client, caplog):
    down = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(connections["default"], "cursor", side_effect=down):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable"
    assert "Set-Cookie" not in response.headers
    assert "did not answer" in caplog.text


@pytest.mark.django_db
def test_it_answers_head_and_refuses_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_a_signed_in_person_gets_the_same_answer(client, lead_officer):
    client.force_login(lead_officer)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
