"""Awarding from a CSV file: reading, the per-row preview, all-or-nothing awards, the command line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import translation

from learningcity.accounts.models import User
from learningcity.passport import awarding_csv, services, verification
from learningcity.passport.awarding_csv import CsvLine, CsvRejected, parse
from learningcity.passport.cli import passport
from learningcity.passport.models import Achievement, Award, SigningKey
from tests.factories import World, make_user
from tests.passport.test_awarding_helpers import PNG, give, make_achievement, upload, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Messages are read in English (pages in French are tested explicitly)."""
    with translation.override("en"):
        yield


MIXED = (
    b"email;name;note\n"
    b"alice@resident.test;Alice;Great work\n"      # row 2: will be awarded
    b"bob@resident.test;Bob;\n"                    # row 3: already holds it
    b"nobody@resident.test;Nobody;\n"              # row 4: no account
    b"not-an-address;Typo;\n"                      # row 5: invalid e-mail
    b"ALICE@resident.test;Alice again;\n"          # row 6: duplicate of row 2
    b"carol@resident.test;Carol;\n"                # row 7: will be awarded
)  # fmt: skip


@pytest.fixture
def achievement(world: World) -> Achievement:
    achievement = make_achievement(world)
    make_user("carol@resident.test", display_name="Carol")
    give(world, achievement, "other_resident")  # Bob
    return achievement


def preview_page(client: Client, achievement: Achievement, content: bytes) -> tuple[str, str]:
    """Upload a file; the preview's address and HTML."""
    response = client.post(url("passport:award-csv", achievement.uuid), {"file": upload(content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(response["Location"]).content.decode()
    return response["Location"], html


# Reading the file


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"email\nalice@resident.test\n", [CsvLine(2, "alice@resident.test")]),
        (b"\xef\xbb\xbfE-mail,Nom\r\nalice@resident.test,Al\xc3\xa9a\r\n", [CsvLine(2, "alice@resident.test", "Aléa")]),
        ("Courriel;Nom;Note\nalice@resident.test;Aléa;Très bien\n".encode("latin-1"),
         [CsvLine(2, "alice@resident.test", "Aléa", "Très bien")]),
        (b"name,email,evidence_url\n\nA,a@x.test,https://x.test/p\n,,\nB,b@x.test,\n",
         [CsvLine(3, "a@x.test", "A", "", "https://x.test/p"), CsvLine(5, "b@x.test", "B")]),
    ],
    ids=["plain", "utf-8 with BOM, commas", "latin-1, semicolons, French headings", "blank lines skipped"],
)  # fmt: skip
def test_it_reads_encodings_separators_and_headings(content: bytes, expected: list[CsvLine]) -> None:
    assert parse(content) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (PNG, "This is not a text file"),
        (b"PK\x03\x04rest-of-a-workbook", "spreadsheet workbook, not a CSV file"),
        (b"name;phone\nAlice;0600\n", "The file has no \u201cemail\u201d column (its first row reads: name, phone)"),
        (b"email\n", "The file has no rows under its headings."),
        (b'email,name\na@x.test,"unclosed\n', "The file is not valid CSV near row"),
        (b"email\n" + b"a@x.test\n" * 300_000, "more than the 2.0\xa0MB allowed"),
    ],
    ids=["empty", "binary", "xlsx", "no email column", "no rows", "unclosed quote", "too big"],
)
def test_it_refuses_files_it_cannot_use_and_says_why(content: bytes, message: str) -> None:
    with pytest.raises(CsvRejected) as refused:
        parse(content)
    assert message in str(refused.value)


def test_it_refuses_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(awarding_csv, "CSV_MAX_ROWS", 3)
    with pytest.raises(CsvRejected, match="more than 3 rows"):
        parse(b"email\n" + b"a@x.test\n" * 4)


# The preview and the award


def test_the_preview_gives_each_rows_outcome_with_its_row_number(
    achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    _address, html = preview_page(client_for("provider_staff"), achievement, MIXED)
    expected = {
        2: "will be awarded", 3: "already holds it", 4: "no account with this e-mail", 5: "invalid e-mail",
        6: "duplicate row", 7: "will be awarded",
    }  # fmt: skip
    for row, outcome in expected.items():
        assert f'<td class="number">{row}</td>' in html
        cells = html.split(f'<td class="number">{row}</td>')[1].split("</tr>")[0]
        assert outcome in cells, (row, cells)
    assert "Same e-mail as row 2." in html
    assert "“not-an-address” is not an e-mail address." in html
    assert "2 rows have errors." in html
    assert "Award 2 people" in html
    assert not Award.objects.filter(method="bulk").exists()


def test_one_bad_row_awards_nothing_unless_the_valid_rows_only_are_chosen(
    achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    client = client_for("provider_staff")
    address, _html = preview_page(client, achievement, MIXED)
    refused = client.post(address, {})
    assert refused.status_code == 200
    assert "2 rows have errors: correct the file, or choose to award the valid rows only." in refused.content.decode()
    assert not Award.objects.filter(method="bulk").exists()
    done = client.post(address, {"valid_rows_only": "on"}, follow=True)
    assert "2 people awarded. 1 already held it. 3 rows left out." in done.content.decode()
    awarded = Award.objects.filter(method="bulk").select_related("recipient")
    emails = sorted(awarded.values_list("recipient__email", flat=True))
    assert emails == ["alice@resident.test", "carol@resident.test"]
    alice = awarded.get(recipient__email="alice@resident.test")
    assert alice.narrative == "Great work"
    assert alice.awarded_by == User.objects.get(email="staff@a.test")
    assert {"type": ["Evidence"], "narrative": "Great work"} in alice.credential["evidence"]
    assert verification.verify(alice.jwt).outcome == "valid"
    gone = client.post(address, {"valid_rows_only": "on"}, follow=True)
    assert "This preview is no longer available" in gone.content.decode()
    assert Award.objects.filter(method="bulk").count() == 2


def test_uploading_the_same_file_again_awards_nobody_twice(
    achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    client = client_for("provider_staff")
    content = b"email\nalice@resident.test\ncarol@resident.test\n"
    address, _html = preview_page(client, achievement, content)
    client.post(address, {})
    assert Award.objects.filter(method="bulk").count() == 2
    second, html = preview_page(client, achievement, content)
    assert html.count("already holds it</td>") == 2
    assert "Nobody in this file can receive the achievement." in html
    client.post(second, {})
    assert Award.objects.filter(achievement=achievement).count() == 3  # Bob's, Alice's, Carol's


def test_a_preview_gone_stale_never_awards_twice(achievement: Achievement, client_for: Callable[[str], Client]) -> None:
    client = client_for("provider_staff")
    address, _html = preview_page(client, achievement, b"email\nalice@resident.test\ncarol@resident.test\n")
    alice = User.objects.get(email="alice@resident.test")
    services.award(achievement, services.Holder(user=alice), by=None, method="hand")  # meanwhile, by hand
    done = client.post(address, {}, follow=True)
    assert "1 person awarded. 1 already held it." in done.content.decode()
    assert Award.objects.filter(achievement=achievement, recipient=alice).count() == 1


def test_a_200_row_file_is_awarded_in_one_go(world: World, client_for: Callable[[str], Client]) -> None:
    achievement = make_achievement(world)
    User.objects.bulk_create([User(email=f"learner{n}@city.test", display_name=f"Learner {n}") for n in range(200)])
    content = ("email,name\n" + "".join(f"learner{n}@city.test,Learner {n}\n" for n in range(200))).encode()
    client = client_for("provider_staff")
    address, html = preview_page(client, achievement, content)
    assert "Award 200 people" in html
    assert "Page 1 of 1" not in html
    done = client.post(address, {}, follow=True)
    assert "200 people awarded." in done.content.decode()
    assert achievement.awards.count() == 200
    assert verification.verify(achievement.awards.first().credential).outcome == "valid"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PNG, "This is not a text file"),
        (b"nom;telephone\nA;1\n", "The file has no \u201cemail\u201d column"),
        (b"email\n" + b"a@x.test\n" * 300_000, "The file is 2.6\xa0MB, more than the 2.0\xa0MB allowed."),
    ],
    ids=["binary", "no email column", "too big"],
)
def test_bad_files_get_a_clear_error_on_the_upload_page(
    achievement: Achievement, client_for: Callable[[str], Client], content: bytes, message: str
) -> None:
    response = client_for("provider_staff").post(url("passport:award-csv", achievement.uuid), {"file": upload(content)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f"CSV file: {message}" in html


def test_the_preview_is_in_french_too(achievement: Achievement, client_for: Callable[[str], Client]) -> None:
    client = client_for("provider_staff")
    response = client.post(url("passport:award-csv", achievement.uuid, language="fr"), {"file": upload(MIXED)})
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="fr">' in html
    assert response["Location"].startswith("/fr/")


# The command line


def test_the_command_previews_then_awards(achievement: Achievement, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"email\nalice@resident.test\ncarol@resident.test\nbob@resident.test\n")
    runner = CliRunner()
    arguments = ["award", "--achievement", str(achievement.uuid), "--csv", str(path)]
    dry = runner.invoke(passport, [*arguments, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "row 2\talice@resident.test\taward" in dry.output
    assert "row 4\tbob@resident.test\theld" in dry.output
    assert "Dry run: nobody was awarded." in dry.output
    assert not Award.objects.filter(method="bulk").exists()
    real = runner.invoke(passport, arguments)
    assert real.exit_code == 0, real.output
    assert "2 awarded, 1 already held it, 0 rows left out." in real.output
    assert Award.objects.filter(method="bulk", awarded_by__isnull=True).count() == 2


def test_the_command_stops_on_errors_unless_told(achievement: Achievement, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"email\nalice@resident.test\nnobody@resident.test\n")
    runner = CliRunner()
    arguments = ["award", "--achievement", str(achievement.uuid), "--csv", str(path)]
    refused = runner.invoke(passport, arguments)
    assert refused.exit_code == 1
    assert "1 row has an error" in refused.output
    assert runner.invoke(passport, [*arguments, "--valid-rows-only"]).exit_code == 0
    assert Award.objects.filter(method="bulk").count() == 1
    unknown = runner.invoke(passport, ["award", "--achievement", "nope", "--csv", str(path)])
    assert unknown.exit_code == 1
    assert "No achievement 'nope'" in unknown.output
    path.write_bytes(PNG)
    binary = runner.invoke(passport, arguments)
    assert binary.exit_code == 1
    assert "not a text file" in binary.output


def test_the_command_rotates_keys_and_reencrypts_them(world: World, settings: Any) -> None:
    runner = CliRunner()
    first_key = runner.invoke(passport, ["new-encryption-key"]).output.strip()
    settings.PASSPORT_KEY_ENCRYPTION_KEYS = [first_key]
    achievement = make_achievement(world)
    old = give(world, achievement, "resident")
    assert runner.invoke(passport, ["rotate-key"]).exit_code == 2
    rotated = runner.invoke(passport, ["rotate-key", "--organisation", str(world.org_a.pk)])
    assert rotated.exit_code == 0
    assert f"organisations:{world.org_a.pk}#key-" in rotated.output
    city = runner.invoke(passport, ["rotate-key", "--city"])
    assert city.exit_code == 0
    assert "cities:testville#key-" in city.output
    new_key = runner.invoke(passport, ["new-encryption-key"]).output.strip()
    settings.PASSPORT_KEY_ENCRYPTION_KEYS = [new_key]  # the old key forgotten too early: a clear refusal
    refused = runner.invoke(passport, ["reencrypt-keys"])
    assert refused.exit_code == 1
    assert "keep the key that encrypted it" in refused.output
    settings.PASSPORT_KEY_ENCRYPTION_KEYS = [new_key, first_key]
    reencrypted = runner.invoke(passport, ["reencrypt-keys"])
    assert reencrypted.exit_code == 0
    assert f"{SigningKey.objects.count()} private keys" in reencrypted.output
    settings.PASSPORT_KEY_ENCRYPTION_KEYS = [new_key]  # the old key can now go
    assert verification.verify(old.jwt).outcome == "valid"
    assert give(world, achievement, "other_resident").signing_key.retired_at is None
