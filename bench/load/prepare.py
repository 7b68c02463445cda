"""The requests of the load benchmark, drawn from the demo city in the database (Django is set up).

Three kinds, one request a line in the file `mix.lua` reads (kind, method, path, headers, body, tab-separated):

- search: the search page and `/api/v1/search`, in French and English, with words residents type (topic
  names, words of titles, a misspelling now and then, an empty search), filters (age, free, kind, day,
  time of day, district, places left, near a district) and later pages;
- page: the home page, opportunity, organisation and venue pages, the opportunity list, the festival
  programme, calendar feeds (opportunity, organisation, district, festival), and a logged-in resident's
  registrations page;
- registration: `POST /api/v1/registrations` by a logged-in resident (session cookie and CSRF token made
  beforehand) for an upcoming session that takes registrations and fits the resident's age; every pair is
  different, so each is a real new registration (or a place on the waitlist when the session is full).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

WEIGHTS = {"search": 70, "page": 20, "registration": 10}


def prepare(directory: Path, *, runs: dict[str, int], residents: int) -> dict[str, Any]:
    """A request file per run (name: registrations it may send); no registration is in two files.

    Returns each run's file by name, and "counts": how many requests of each kind were prepared.
    """
    rng = random.Random(9)
    city = _city()
    searches = _searches(city, rng)
    pairs = _registration_pairs(city, sum(runs.values()), residents, rng)
    logged_in = _log_in(sorted({user for user, _session in pairs}))
    pages = _pages(city, rng, logged_in)
    registration_lines = [
        _line("registration", "POST", "/api/v1/registrations", logged_in[user], json.dumps({"session_id": session}))
        for user, session in pairs
    ]
    prepared: dict[str, Any] = {}
    start = 0
    for name, count in runs.items():
        prepared[name] = _write(
            directory / f"{name}.tsv", [*searches, *pages], registration_lines[start : start + count]
        )
        start += count
    prepared["counts"] = {
        "search": len(searches), "page": len(pages), "registration": len(registration_lines),
        "residents": len(logged_in),
    }  # fmt: skip
    return prepared


def _write(path: Path, common: list[str], registration_lines: list[str]) -> Path:
    weights = ",".join(f"{kind}={share}" for kind, share in WEIGHTS.items())
    path.write_text("\n".join([f"#weights\t{weights}", *common, *registration_lines]) + "\n", encoding="utf-8")
    return path


def _line(kind: str, method: str, path: str, headers: dict[str, str] | None = None, body: str = "") -> str:
    header_text = "\1".join(f"{name}: {value}" for name, value in (headers or {}).items())
    return "\t".join([kind, method, path, header_text, body])


def _city() -> Any:
    from learningcity.catalogue.models import City
    from learningcity.demo.names import CITY_SLUG

    return City.objects.get(slug=CITY_SLUG)


# --- search ----------------------------------------------------------------------------------------------


def _words(city: Any, rng: random.Random) -> list[str]:
    """What residents type: topic names, title words, a few two-word phrases and misspellings, or nothing."""
    from learningcity.catalogue.models import Opportunity, Status, Topic

    topics = [name for pair in Topic.objects.values_list("name_fr", "name_en") for name in pair]
    titles = list(
        Opportunity.objects.filter(city=city, status=Status.PUBLISHED).values_list("title_fr", "title_en")[:3000]
    )
    words = [w for pair in titles for title in pair for w in title.lower().split() if len(w) > 4 and w.isalpha()]
    typed = [rng.choice(topics).lower() for _ in range(300)]
    typed += [rng.choice(words) for _ in range(500)]
    typed += [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(150)]
    typed += [_misspell(rng.choice(words), rng) for _ in range(50)]
    return typed + [""] * 100


def _misspell(word: str, rng: random.Random) -> str:
    position = rng.randrange(1, len(word) - 1)
    return word[:position] + word[position + 1] + word[position] + word[position + 2 :]


def _filters(city: Any, rng: random.Random) -> list[tuple[str, str]]:
    """Zero to three filters, as people combine them."""
    from learningcity.catalogue.models import Kind

    districts = list(city.districts.values_list("code", flat=True))
    choices: list[list[tuple[str, str]]] = [
        [("age", str(rng.choice([8, 12, 16, 25, 40, 67, 75])))],
        [("free", "on")],
        [("kind", rng.choice(Kind.values))],
        [("day", rng.choice(["sat", "sun", "wed"]))],
        [("time", rng.choice(["morning", "afternoon", "evening"]))],
        [("district", rng.choice(districts))],
        [("places", "on")],
        [("near_district", rng.choice(districts)), ("radius", "2")],
        [("sort", "date")],
    ]
    picked: list[tuple[str, str]] = []
    for choice in rng.sample(choices, k=rng.choice([0, 0, 1, 1, 1, 2, 3])):
        picked += choice
    return picked


def _searches(city: Any, rng: random.Random) -> list[str]:
    from urllib.parse import urlencode

    lines = []
    for text in _words(city, rng):
        parameters = [("q", text)] if text else []
        parameters += _filters(city, rng)
        if rng.random() < 0.2 and _has_page(city, parameters, page := rng.choice([2, 2, 3])):
            parameters.append(("page", str(page)))
        query = urlencode(parameters)
        if rng.random() < 0.5:
            language = rng.choice(["fr", "fr", "fr", "en"])
            lines.append(_line("search", "GET", f"/{language}/search/?{query}"))
        else:
            lines.append(_line("search", "GET", f"/api/v1/search?{query}"))
    rng.shuffle(lines)
    return lines


def _has_page(city: Any, parameters: list[tuple[str, str]], page: int) -> bool:
    """True if the search has that many pages (asking for a page past the last is a client error)."""
    from django.http import QueryDict

    from learningcity.search import selectors
    from learningcity.search.forms import SearchForm

    data = QueryDict(mutable=True)
    for name, value in parameters:
        data.appendlist(name, value)
    form = SearchForm(data, city=city)
    return form.is_valid() and selectors.search(city, form.params(), facets=False).pages >= page


# --- pages -----------------------------------------------------------------------------------------------


def _pages(city: Any, rng: random.Random, logged_in: dict[int, dict[str, str]]) -> list[str]:
    """Pages in the proportions a visit has them: mostly listings, some organisations, feeds and the rest."""
    from learningcity.catalogue.models import Opportunity, Organisation, Status, Venue
    from learningcity.festival.models import Festival

    opportunities = list(
        Opportunity.objects.filter(city=city, status=Status.PUBLISHED).order_by("?").values_list("pk", flat=True)[:2000]
    )
    organisations = list(Organisation.objects.filter(city=city).order_by("?").values_list("pk", flat=True)[:300])
    venues = list(Venue.objects.filter(city=city).order_by("?").values_list("pk", flat=True)[:300])
    districts = list(city.districts.values_list("code", flat=True))
    festivals = list(Festival.objects.filter(city=city).values_list("slug", flat=True))
    choices: list[tuple[int, Callable[[str], str]]] = [
        (30, lambda lang: f"/{lang}/opportunities/{rng.choice(opportunities)}/"),
        (12, lambda lang: f"/{lang}/"),
        (10, lambda lang: f"/{lang}/organisations/{rng.choice(organisations)}/"),
        (6, lambda lang: f"/{lang}/venues/{rng.choice(venues)}/"),
        (6, lambda lang: f"/{lang}/opportunities/?page={rng.randint(1, 5)}"),
        (6, lambda lang: f"/{lang}/calendars/opportunities/{rng.choice(opportunities)}.ics"),
        (4, lambda lang: f"/{lang}/calendars/organisations/{rng.choice(organisations)}.ics"),
        (3, lambda lang: f"/{lang}/calendars/cities/{city.slug}/districts/{rng.choice(districts)}.ics"),
    ]
    if festivals:
        choices += [
            (8, lambda lang: f"/{lang}/festival/{rng.choice(festivals)}/"),
            (2, lambda lang: f"/{lang}/calendars/festivals/{rng.choice(festivals)}.ics"),
        ]
    lines = []
    weights = [weight for weight, _make in choices]
    residents = list(logged_in.values())
    for _ in range(3000):
        language = rng.choice(["fr", "fr", "fr", "en"])
        if rng.random() < 0.1:  # a resident looking at their registrations
            cookie = {"Cookie": rng.choice(residents)["Cookie"]}
            lines.append(_line("page", "GET", f"/{language}/registrations/", cookie))
            continue
        [(_weight, make)] = rng.choices(choices, weights=weights)
        lines.append(_line("page", "GET", make(language)))
    return lines


# --- registrations ---------------------------------------------------------------------------------------


def _registration_pairs(city: Any, count: int, residents: int, rng: random.Random) -> list[tuple[int, int]]:
    """`count` different (resident, session) pairs for upcoming sessions that take registrations.

    Sessions start from a day after now (none starts during the run), of published listings that take
    registrations, open now, not cancelled, not booked as a series; the resident's age fits the listing.
    """
    from django.db.models import Q
    from django.utils import timezone

    from learningcity.catalogue.models import Session, Status

    now = timezone.now()
    sessions = list(
        Session.objects.filter(
            opportunity__city=city, opportunity__status=Status.PUBLISHED, opportunity__registration_required=True,
            opportunity__booked_as_series=False, start__gte=now + timedelta(days=1), cancellation__isnull=True,
        )
        .exclude(
            Q(opportunity__registration_window__opens_at__gt=now)
            | Q(opportunity__registration_window__closes_at__lte=now)
        )
        .values_list("pk", "opportunity__age_min", "opportunity__age_max", "start__year")
    )  # fmt: skip
    if not sessions:
        raise SystemExit("the demo city has no upcoming session that takes registrations")
    people = _residents(residents)
    pairs: set[tuple[int, int]] = set()
    attempts = 0
    while len(pairs) < count and attempts < count * 50:
        attempts += 1
        session, age_min, age_max, year = rng.choice(sessions)
        user, born = rng.choice(people)
        if age_min <= year - born <= age_max:
            pairs.add((user, session))
    ordered = sorted(pairs)
    rng.shuffle(ordered)
    return ordered


def _residents(count: int) -> list[tuple[int, int]]:
    """Demo residents with a verified address (verified here: a real city's residents have done it)."""
    from django.utils import timezone

    from learningcity.accounts.models import User
    from learningcity.demo.logins import DEMO_LOGINS
    from learningcity.demo.names import EMAIL_DOMAIN

    personas = [email for _role, email in DEMO_LOGINS]
    chosen = (
        User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}", is_staff=False, year_of_birth__isnull=False)
        .exclude(email__in=personas)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    ids = list(chosen)
    User.objects.filter(pk__in=ids, email_verified_at__isnull=True).update(email_verified_at=timezone.now())
    rows = User.objects.filter(pk__in=ids).values_list("pk", "year_of_birth")
    return [(pk, born) for pk, born in rows if born is not None]


def _session_backend() -> str:
    """The first backend that finds a session's user (a throttling backend in front only counts failures)."""
    from django.conf import settings
    from django.contrib.auth import load_backend
    from django.contrib.auth.backends import BaseBackend

    for path in settings.AUTHENTICATION_BACKENDS:
        if getattr(type(load_backend(path)), "get_user", BaseBackend.get_user) is not BaseBackend.get_user:
            return str(path)
    raise SystemExit("no authentication backend reads users from sessions")


def _log_in(user_ids: list[int]) -> dict[int, dict[str, str]]:
    """A server-side session per resident, as logging in makes it, and a CSRF token for its cookie.

    The session goes through the configured engine, so the server reads it as its own (both share SECRET_KEY
    and the database); logging in through the form would only measure the password hash beforehand.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret  # type: ignore[attr-defined]

    from learningcity.accounts.models import User

    engine = import_module(settings.SESSION_ENGINE)
    backend = _session_backend()
    headers = {}
    for user in User.objects.filter(pk__in=user_ids):
        store = engine.SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        secret = _get_new_csrf_string()
        cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={secret}"
        headers[user.pk] = {"Cookie": cookie, "X-CSRFToken": _mask_cipher_secret(secret)}
    return headers
