"""Whole answers to anonymous visitors' public pages and searches, kept a few minutes (issue 9).

Most of the traffic of a learning city is people who are not logged in searching and reading
listings; the same searches and pages come again and again. `PublicCacheMiddleware` keeps the
answer (status, headers, body) of a few public views (`CACHEABLE_VIEWS`) for `PUBLIC_CACHE_SECONDS`
and serves it again before the other middleware (CSP, CORS, sessions, authentication) and the view
run (the kept headers include theirs): first from the process's memory, then from a Django file
cache shared by the processes of the machine (`PUBLIC_CACHE_DIRECTORY`), so that an answer one
process made serves the others. One thread of the machine makes a missing answer; the others asking
for it meanwhile wait for it (`_filling`).

Correctness rules:
- only GET (HEAD is answered from a GET's entry) by a visitor with no session and no pending
  messages, without an Authorization header; only 200 answers that set no cookie, are not private,
  vary on nothing the key lacks and used no CSP nonce;
- the key is the host, the city, the language, the reading mode, the full path with its query, the
  headers a view varies on (`KEYED_HEADERS`) and the catalogue's version: every change saved to the
  catalogue (listings, sessions, organisations, venues, cities...), a festival, a session's
  cancellation or registration window (`WATCHED_MODELS`, signals connected below) draws a new
  version in the shared cache, so every process stops serving older answers at once;
- changes written without those signals (imports write in bulk) show once the answers kept expire;
- a view's side effects that must happen on each request (the search-words statistics) are
  registered with `replay_on_hit` and run again each time the answer comes from the cache.

Places left change with every registration and are not part of the version (it would change many
times a second under load): a page may show a count of places up to `PUBLIC_CACHE_SECONDS` old, but
an opportunity's page kept before one of its sessions became full, or had room again, is not served
after it (`places_changed`, called by enrolment when that happens); search results filtered on places
left may lag up to `PUBLIC_CACHE_SECONDS`. Registering always checks the real count. Answers whose
view allows any cache to keep them longer (calendar feeds: `Cache-Control: public, max-age`) are kept
that long, up to `MAX_SECONDS`. Each answer expires at a random moment of the last quarter of its
lifetime (`LIFETIME_SPREAD`), so that the thousands made in the first minute after a start or a
catalogue change are not all made again in the same second one lifetime later.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import logging
import os
import random
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import cc_delim_re, get_conditional_response, get_max_age
from django.utils.http import parse_http_date_safe
from django.utils.module_loading import import_string

from learningcity.cache_backends import SometimesCulledFileCache

logger = logging.getLogger(__name__)

CACHEABLE_VIEWS = frozenset(
    {
        "home",
        "search:search",
        "catalogue:opportunity-list",
        "catalogue:opportunity",
        "catalogue:organisation",
        "catalogue:venue",
        "festival:programme",
        "calendars:opportunity",  # the public calendar feeds (never a resident's private one)
        "calendars:session",
        "calendars:organisation",
        "calendars:district",
        "calendars:festival",
        "api:search",
        "api:list_opportunities",
        "api:get_opportunity",
    }
)
# Request headers answers vary on: search.js's partial page, and CORS (django-cors-headers answers per Origin).
KEYED_HEADERS = ("X-Search-Partial", "Origin")
VARY_UNDERSTOOD = {"cookie", "accept-language", *(name.lower() for name in KEYED_HEADERS)}
PERSONAL_COOKIES = ("messages",)  # besides the session cookie: its presence means a page just for this visitor
VERSION_KEY = "public-cache:catalogue-version"
# Models whose changes show on the kept pages, by app (None: all of the app's models).
WATCHED_MODELS: dict[str, set[str] | None] = {
    "catalogue": None,
    "festival": None,
    "enrolment": {"SessionCancellation", "RegistrationWindow"},  # not registrations: see the docstring
}
REPLAYS_ATTRIBUTE = "_public_cache_replays"
MAX_SECONDS = 15 * 60  # the longest a view may ask its answer to be kept (`Cache-Control: public, max-age`)
# Each answer is kept for its lifetime minus up to this share of it, drawn at random: answers made together
# (after a restart, a catalogue change) then expire spread over a while, not all in the same second.
LIFETIME_SPREAD = 0.25
FILL_WAIT_SECONDS = 30  # at most this long for another thread making the same answer


@dataclass(frozen=True)
class Entry:
    """One kept answer, and the side effects to run again each time it is served.

    `listing`: the opportunity an opportunity page shows, and `made`: when its request began, so that
    a session of that listing becoming full (or having room again) afterwards refuses it (`places_changed`).
    """

    expires: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    replays: tuple[tuple[str, dict[str, Any]], ...]
    listing: int | None = None
    made: float = 0.0


class _Memory:
    """A least-recently-used store bounded in entries and bytes, shared by the threads of a process."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, ...], Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires < time.time():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[str, ...], entry: Entry) -> None:
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while self._entries and (
                len(self._entries) > settings.PUBLIC_CACHE_ENTRIES or self._bytes > settings.PUBLIC_CACHE_BYTES
            ):
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: tuple[str, ...]) -> None:
        self._bytes -= len(self._entries.pop(key).body)


_memory = _Memory()


SharedStore = SometimesCulledFileCache  # Django's file cache, counting its entries every 100 writes only


@functools.cache
def _store(directory: str) -> SharedStore:
    options = {"MAX_ENTRIES": settings.PUBLIC_CACHE_ENTRIES * 4, "CULL_FREQUENCY": 3}
    return SharedStore(directory, {"TIMEOUT": settings.PUBLIC_CACHE_SECONDS, "OPTIONS": options})


def _shared_get(key: tuple[str, ...]) -> Entry | None:
    if not settings.PUBLIC_CACHE_DIRECTORY:
        return None
    entry: Entry | None = _store(settings.PUBLIC_CACHE_DIRECTORY).get(_hashed(key))
    if entry is None or entry.expires < time.time():
        return None
    _memory.put(key, entry)
    return entry


def _shared_put(key: tuple[str, ...], entry: Entry) -> None:
    if settings.PUBLIC_CACHE_DIRECTORY:
        _store(settings.PUBLIC_CACHE_DIRECTORY).set(_hashed(key), entry, timeout=max(1, entry.expires - time.time()))


def _hashed(key: tuple[str, ...]) -> str:
    return hashlib.sha256("\x1f".join(key).encode()).hexdigest()


def forget_all() -> None:
    """Drop this process's kept answers (tests; the version makes it needless otherwise)."""
    _memory.clear()


def catalogue_version() -> str:
    """The catalogue's current version, shared by every process through Django's cache."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
        version = cache.get(VERSION_KEY, "")
    return str(version)


def catalogue_changed() -> None:
    """Answers kept so far are stale: draw a new version now and again when the transaction commits.

    Now, for this process's next requests; at the commit, because another process may have kept an
    answer read before the change was visible.
    """
    version_renew()
    transaction.on_commit(version_renew)


def version_renew() -> None:
    """Draw a new catalogue version: every process stops serving the answers it kept."""
    cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)


PLACES_KEY = "public-cache:places-changed:{}"
PLACES_PAGES = frozenset({"catalogue:opportunity"})  # the pages that show a listing's places left


def places_changed(opportunity_id: int) -> None:
    """A session of this listing became full or has room again: its kept pages are stale (at the commit)."""

    def stamp() -> None:
        cache.set(PLACES_KEY.format(opportunity_id), time.time(), timeout=MAX_SECONDS * 2)

    transaction.on_commit(stamp)


def _places_changed_after(entry: Entry) -> bool:
    if entry.listing is None:
        return False
    changed = cache.get(PLACES_KEY.format(entry.listing))
    return changed is not None and changed >= entry.made


def _servable(entry: Entry | None) -> Entry | None:
    """The kept answer, unless its listing's places changed since it was made (every lookup goes through here)."""
    return None if entry is None or _places_changed_after(entry) else entry


def replay_on_hit(request: HttpRequest, function: Callable[..., Any], **arguments: Any) -> None:
    """Run `function(**arguments)` again each time this request's answer is served from the cache."""
    replays = getattr(request, REPLAYS_ATTRIBUTE, None)
    if replays is not None:
        replays.append((f"{function.__module__}.{function.__qualname__}", arguments))


class PublicCacheMiddleware:
    """Serve and keep anonymous visitors' answers of `CACHEABLE_VIEWS` (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        made = time.time()
        key = _key(request) if settings.PUBLIC_CACHE_SECONDS and _anonymous_read(request) else None
        if key is None:
            return self.get_response(request)
        entry = _servable(_memory.get(key) or _shared_get(key))
        if entry is not None:
            _replay(entry)
            return _answer(request, entry, head=request.method == "HEAD")
        if request.method != "GET":
            return self.get_response(request)
        with _filling(key) as kept:
            if kept is not None:  # another thread or process made it meanwhile
                _replay(kept)
                return _answer(request, kept, head=False)
            setattr(request, REPLAYS_ATTRIBUTE, [])
            response = self.get_response(request)
            if _keepable(request, response):
                entry = _entry(request, response, made=made)
                _memory.put(key, entry)
                _shared_put(key, entry)
            return response


_filling_now: dict[tuple[str, ...], threading.Event] = {}
_filling_lock = threading.Lock()


@contextmanager
def _filling(key: tuple[str, ...]) -> Iterator[Entry | None]:
    """Let one thread of the machine make a missing answer while the others asking for it wait for it.

    A district's calendar feed takes seconds to build: without this, every thread asking for it at
    that moment built it too, in each process (bench/load_benchmark.py). Threads of this process wait
    on an event; processes wait on a lock file in the shared directory (`_machine_lock`). Yields the
    answer another thread or process kept, else None (then the caller makes it, holding both).
    """
    with _filling_lock:
        other = _filling_now.get(key)
        if other is None:
            mine = _filling_now[key] = threading.Event()
    if other is not None:
        other.wait(timeout=FILL_WAIT_SECONDS)
        yield _servable(_memory.get(key))
        return
    try:
        with _machine_lock(key) as waited:
            yield _servable(_shared_get(key)) if waited else None
    finally:
        with _filling_lock:
            del _filling_now[key]
        mine.set()


LOCK_STRIPES = 4096  # lock files in the shared directory: two keys rarely share one
LOCK_POLL_SECONDS = 0.01


@contextmanager
def _machine_lock(key: tuple[str, ...]) -> Iterator[bool]:
    """Hold the lock file of `key` for the processes of the machine; yields whether another process held it.

    Gives up waiting after `FILL_WAIT_SECONDS` (then the answer is made anyway). Without a shared
    directory, processes keep their own answers and do not wait for each other.
    """
    if not settings.PUBLIC_CACHE_DIRECTORY:
        yield False
        return
    directory = os.path.join(settings.PUBLIC_CACHE_DIRECTORY, "locks")
    os.makedirs(directory, mode=0o700, exist_ok=True)
    stripe = int(_hashed(key)[:8], 16) % LOCK_STRIPES
    descriptor = os.open(os.path.join(directory, f"{stripe}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        waited, deadline = False, time.monotonic() + FILL_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = True
                if time.monotonic() > deadline:
                    break
                time.sleep(LOCK_POLL_SECONDS)
        yield waited
    finally:
        os.close(descriptor)  # also releases the lock


def _anonymous_read(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and not any(name in cookies for name in PERSONAL_COOKIES)
        and "Authorization" not in request.headers
    )


def _key(request: HttpRequest) -> tuple[str, ...] | None:
    """The cache key of the request, or None when its view is not one kept."""
    language = translation.get_language_from_request(request, check_path=True)
    with translation.override(language):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    if match.view_name not in CACHEABLE_VIEWS:
        return None
    return (
        catalogue_version(),
        request.get_host(),
        settings.CITY_SLUG,
        language,
        request.COOKIES.get("reading_mode", ""),
        request.get_full_path(),
        *(request.headers.get(name, "") for name in KEYED_HEADERS),
    )


def _keepable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if getattr(request, "_csp_nonce", None) is not None:  # the body holds this request's nonce
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return False
    vary = {name.strip().lower() for name in cc_delim_re.split(response.get("Vary", "")) if name.strip()}
    return vary <= VARY_UNDERSTOOD


def _lifetime(response: HttpResponseBase) -> int:
    """PUBLIC_CACHE_SECONDS, or longer when the view says any cache may keep its answer longer (feeds)."""
    max_age = get_max_age(response)
    if max_age is not None and "public" in response.get("Cache-Control", "").lower():
        return max(settings.PUBLIC_CACHE_SECONDS, min(max_age, MAX_SECONDS))
    return int(settings.PUBLIC_CACHE_SECONDS)


def _entry(request: HttpRequest, response: HttpResponseBase, *, made: float) -> Entry:
    assert isinstance(response, HttpResponse)  # not streaming (checked by _keepable)
    match = request.resolver_match
    listing = match.kwargs.get("pk") if match is not None and match.view_name in PLACES_PAGES else None
    return Entry(
        listing=int(listing) if listing is not None else None,
        made=made,
        expires=time.time() + _lifetime(response) * (1 - LIFETIME_SPREAD * random.random()),  # noqa: S311
        status=response.status_code,
        headers=tuple(response.headers.items()),
        body=response.content,
        replays=tuple(getattr(request, REPLAYS_ATTRIBUTE, ())),
    )


def _answer(request: HttpRequest, entry: Entry, *, head: bool) -> HttpResponseBase:
    """The kept answer, or 304 Not Modified when the client already has it (ETag, Last-Modified)."""
    response = HttpResponse(b"" if head else entry.body, status=entry.status)
    for name, value in entry.headers:
        response.headers[name] = value
    response.headers["X-Public-Cache"] = "hit"  # for the operator (and bench/load_benchmark.py --costs)
    conditional = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )
    return conditional or response


def _replay(entry: Entry) -> None:
    for path, arguments in entry.replays:
        try:
            import_string(path)(**arguments)
        except DatabaseError:  # a statistic lost while the database is away; the answer still goes out
            logger.warning("public cache: could not replay %s", path, exc_info=True)


def _watched(model: type[Model]) -> bool:
    app = model._meta.app_label
    return app in WATCHED_MODELS and (WATCHED_MODELS[app] is None or model.__name__ in (WATCHED_MODELS[app] or ()))


def _catalogue_saved(sender: type[Model], raw: bool = False, **kwargs: Any) -> None:
    if not raw and _watched(sender):
        catalogue_changed()


def _catalogue_links_changed(sender: type[Model], action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and _watched(sender):
        catalogue_changed()


def connect_signals() -> None:
    """Draw a new version at each change of the catalogue (called once, when the catalogue's models load)."""
    post_save.connect(_catalogue_saved, dispatch_uid="public_cache_saved")
    post_delete.connect(_catalogue_saved, dispatch_uid="public_cache_deleted")
    m2m_changed.connect(_catalogue_links_changed, dispatch_uid="public_cache_links")
