"""A forgotten password is reset by e-mail, sent by the task worker through the real SMTP path."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from learningcity.accounts.models import User
from tests.factories import PASSWORD, World

# The worker closes the database connection it used, as after each batch in production.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_PASSWORD = "a-fresh-and-unusual-passphrase"
ALICE = "alice@resident.test"


def en(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def run_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def ask_for_reset(client: Client, email: str, django_capture_on_commit_callbacks: Any) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(en("accounts:password-reset"), {"email": email}, follow=True)
    assert response.status_code == 200
    run_worker()
    return str(response.content.decode())


def test_a_forgotten_password_is_reset_by_e_mail(
    world: World, client: Client, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(email=ALICE).update(preferred_language="en")
    login_page = client.get(en("accounts:login")).content.decode()
    assert en("accounts:password-reset") in login_page, "linked from the login page"
    page = ask_for_reset(client, "Alice@Resident.test", django_capture_on_commit_callbacks)
    assert "If an account uses this address" in page
    [message] = smtp_sink.messages
    assert message["To"] == ALICE
    assert message["Subject"] == "Choose a new password", "in her language"
    body = message.get_content()
    link = re.search(r"https?://\S+/password/reset/\S+/", body)
    assert link, body
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200
    short = client.post(form.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abc"})
    assert short.status_code == 400
    assert "This password is too short" in short.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Your password is changed" in done.content.decode()
    assert done.redirect_chain[-1][0] == en("accounts:login")
    assert Client().login(email=ALICE, password=NEW_PASSWORD)
    reused = client.get("/" + path)
    assert "This link does not work" in reused.content.decode(), "a link works once"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    world: World, client: Client, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    known = ask_for_reset(Client(), ALICE, django_capture_on_commit_callbacks)
    unknown = ask_for_reset(client, "nobody@nowhere.test", django_capture_on_commit_callbacks)

    def main(page: str) -> str:
        return page[page.index("<main") : page.index("</main>")]

    assert main(known) == main(unknown)
    assert [message["To"] for message in smtp_sink.messages] == [ALICE]


def test_reset_e_mails_to_one_address_are_limited(
    world: World, client: Client, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for _ in range(5):
        ask_for_reset(client, ALICE, django_capture_on_commit_callbacks)
    assert len(smtp_sink.messages) == 3


def test_a_new_password_lifts_a_lockout(
    world: World, client: Client, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for _ in range(5):
        client.post(en("accounts:login"), {"username": ALICE, "password": "wrong"})
    assert client.post(en("accounts:login"), {"username": ALICE, "password": PASSWORD}).status_code == 429
    ask_for_reset(client, ALICE, django_capture_on_commit_callbacks)
    path = re.search(r"https?://[^/]+(/\S+/password/reset/\S+/)", smtp_sink.messages[0].get_content())
    assert path
    form = client.get(path.group(1), follow=True)
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    client.post(form.redirect_chain[-1][0], data)
    assert client.post(en("accounts:login"), {"username": ALICE, "password": NEW_PASSWORD}).status_code == 302
