"""Site-wide routes: home, manifest, health check, reading mode, language switches, JavaScript catalogue, admin."""

from __future__ import annotations

from tests.security.matrix import BAD, DENIED, LOGIN, OK, POST_ONLY_PUBLIC, PUBLIC, REDIRECT, Expect, Route, every

ADMIN = Expect(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, OK)

ENTRIES = [
    Route("home", get=PUBLIC),
    Route("manifest", get=PUBLIC),
    Route("healthz", get=PUBLIC),
    Route("reading-mode", get=POST_ONLY_PUBLIC, post=every(REDIRECT), post_data=lambda s: {"mode": "easy"}),
    Route("switch-language", get=every(REDIRECT), query="?lang=en&next=/fr/"),
    Route("switch-language", get=every(BAD), query="?lang=xx", label="an unknown language"),
    # Django's set_language: a POST sets the cookie and sends the person on (a GET only sends them on).
    Route("set_language", get=every(REDIRECT), post=every(REDIRECT), post_data=lambda s: {"language": "en"}),
    Route("javascript-catalog", get=PUBLIC),
    # The Django admin is one entry: only the city's coordinators (staff) and admins reach it; every admin
    # page is behind the same `admin_view` check, which sends anyone else to the admin's login page.
    Route("admin:index", get=ADMIN),
    # Inside, a coordinator reaches the catalogue and indicators of their city (CityScopedAdmin), and no
    # personal data: registrations and accounts are for administrators only.
    Route("admin:catalogue_opportunity_change", get=ADMIN, args=lambda s: {"object_id": s.world.published.pk}),
    Route("admin:catalogue_city_change", get=ADMIN, args=lambda s: {"object_id": s.world.city.pk}),
    Route("admin:monitoring_cityindicator_change", get=ADMIN, args=lambda s: {"object_id": s["indicator"].pk}),
    Route(
        "admin:enrolment_registration_change",
        get=ADMIN.but(coordinator=DENIED),
        args=lambda s: {"object_id": s["registration"].pk},
    ),
    Route("admin:accounts_user_change", get=ADMIN.but(coordinator=DENIED), args=lambda s: {"object_id": s.resident.pk}),
]
