"""Benchmark Open Badges 3.0 credentials: bulk-award and sign 10,000, then verify them, per proof format.

    .venv/bin/python bench/passport_benchmark.py [--count 10000 --baseline-count 300]
    scripts/with-postgres.sh .venv/bin/python bench/passport_benchmark.py      # on PostgreSQL

One run, one process, on a fresh database (a temporary SQLite file unless DATABASE_URL is set): a
city, one provider, one achievement with two ESCO skills, and `--count` + `--baseline-count`
residents. Then:

1. the project: `services.award_many` awards the achievement to `--count` residents in one call
   (one transaction, one status-list lock, the key decrypted once): each award is a
   `OpenBadgeCredential` signed twice, as a VC-JWT (EdDSA) and with an `eddsa-rdfc-2022` Data
   Integrity proof, plus its learning-record entry. It prints awards per second, and the time spent
   in each signer as credentials signed per second **for each proof format** (the issue's target:
   at least 500 signed per second as JWT);
2. the baseline: the same award made one at a time (`services.award`, as a page that awards one
   person does: its own transaction, lock, key and achievement document each time), for
   `--baseline-count` other residents;
3. verification of every credential of step 1 by the platform's verifier (`verification.verify`:
   signature, issuer key, status list, dates), per format; then, when the Node packages are
   installed (`npm ci`), by the independent reference implementation used in the tests
   (Digital Bazaar's vc + eddsa-rdfc-2022 cryptosuite for Data Integrity, panva's jose for JWT),
   on a sample of `--independent-sample` credentials per format, every one of which must verify.

It prints both sides and their ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_JWT_PER_SECOND = 500.0


def setup_django(database_dir: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningcity.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{database_dir / 'bench.sqlite3'}"
    os.environ.setdefault("LEARNINGCITY_VAR_DIR", str(database_dir))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a fresh database: a temporary file, or the throwaway PostgreSQL


class Timer:
    """Wraps a function and adds up the time spent in it."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function, self.seconds, self.calls = function, 0.0, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def make_world(count: int) -> tuple[Any, list[Any]]:
    from django.contrib.auth.hashers import make_password

    from learningcity.accounts.models import User
    from learningcity.catalogue.models import City, Organisation
    from learningcity.passport.models import Achievement, SkillAlignment

    city = City.objects.create(name="Benchville", slug="benchville", latitude=48.85, longitude=2.35)
    organisation = Organisation.objects.create(
        city=city, name="Médiathèque du Centre", sector="public", type="library", website="https://example.org"
    )
    achievement = Achievement.objects.create(
        city=city,
        organisation=organisation,
        name_fr="Premiers pas numériques",
        name_en="First digital steps",
        description_fr="Utiliser un ordinateur, une messagerie et les services en ligne de la ville.",
        criteria_fr="Avoir suivi les cinq ateliers du cycle.",
        valid_for_days=3 * 365,
    )
    SkillAlignment.objects.create(
        achievement=achievement,
        framework="esco",
        code="http://data.europa.eu/esco/skill/b9b2a8f0-3a2e-4d0c-9b52-0b8c3b1a8f44",
        label="use digital tools",
    )
    SkillAlignment.objects.create(achievement=achievement, framework="formacode", code="70322", label="bureautique")
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(
                email=f"resident{n}@bench.test",
                display_name=f"Resident {n}",
                password=password,
                preferred_language="fr",
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    return achievement, list(User.objects.order_by("id"))


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--baseline-count", type=int, default=300)
    parser.add_argument("--independent-sample", type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="passport-bench-") as folder:
        setup_django(Path(folder))
        from django.db import connection

        from learningcity.passport import crypto, services, verification

        achievement, users = make_world(args.count + args.baseline_count)
        print(f"database: {connection.vendor}; {args.count:,} awards in bulk, {args.baseline_count:,} one by one")

        jwt_timer, di_timer = Timer(crypto.sign_jwt), Timer(crypto.sign_data_integrity)
        crypto.sign_jwt, crypto.sign_data_integrity = jwt_timer, di_timer
        holders = [services.Holder(user=user) for user in users[: args.count]]
        start = time.perf_counter()
        awards = services.award_many(achievement, holders, by=None, method="bulk")
        bulk_seconds = time.perf_counter() - start
        assert len(awards) == args.count

        start = time.perf_counter()
        for user in users[args.count :]:
            services.award(achievement, services.Holder(user=user), by=None, method="hand")
        baseline_seconds = time.perf_counter() - start

        print()
        print(f"{'step':<58}{'count':>8}{'seconds':>10}{'per second':>13}")
        rows = [
            ("project: bulk award (both proofs, record entries)", args.count, bulk_seconds),
            ("  of which signing the VC-JWT (EdDSA)", jwt_timer.calls - args.baseline_count, None),
            ("  of which signing the Data Integrity proof", di_timer.calls - args.baseline_count, None),
            ("baseline: one award at a time", args.baseline_count, baseline_seconds),
        ]
        jwt_seconds = jwt_timer.seconds * args.count / max(jwt_timer.calls, 1)
        di_seconds = di_timer.seconds * args.count / max(di_timer.calls, 1)
        rows[1] = (rows[1][0], args.count, jwt_seconds)
        rows[2] = (rows[2][0], args.count, di_seconds)
        for label, count, seconds in rows:
            assert seconds is not None
            print(f"{label:<58}{count:>8,}{seconds:>10.2f}{rate(count, seconds):>13,.0f}")
        print(
            f"{'ratio bulk ÷ baseline (awards per second)':<58}{'':>8}{'':>10}"
            f"{rate(args.count, bulk_seconds) / rate(args.baseline_count, baseline_seconds):>12.1f}×"
        )

        print()
        outcomes: dict[str, dict[str, int]] = {}
        timings: dict[str, float] = {}
        for name, values in (("jwt", [a.jwt for a in awards]), ("data-integrity", [a.credential for a in awards])):
            start = time.perf_counter()
            seen: dict[str, int] = {}
            for value in values:
                outcome = verification.verify(value).outcome
                seen[outcome] = seen.get(outcome, 0) + 1
            timings[name] = time.perf_counter() - start
            outcomes[name] = seen
        independent = run_independent(awards[: args.independent_sample])
        print(f"{'verification':<58}{'count':>8}{'seconds':>10}{'per second':>13}  outcomes")
        for name in ("jwt", "data-integrity"):
            print(
                f"{'project verifier, ' + name:<58}{args.count:>8,}{timings[name]:>10.2f}"
                f"{rate(args.count, timings[name]):>13,.0f}  {outcomes[name]}"
            )
            if independent is not None:
                count, seconds, verified = independent[name]
                print(
                    f"{'independent verifier (Node reference libraries), ' + name:<58}{count:>8,}{seconds:>10.2f}"
                    f"{rate(count, seconds):>13,.0f}  {verified:,} verified"
                )
        if independent is None:
            print("independent verifier: not run (run `npm ci` to install the reference libraries)")

        jwt_rate = rate(args.count, jwt_seconds)
        print()
        print(
            f"target: at least {TARGET_JWT_PER_SECOND:,.0f} credentials signed per second as JWT — "
            f"measured {jwt_rate:,.0f}: {'met' if jwt_rate >= TARGET_JWT_PER_SECOND else 'NOT met'}; "
            f"awards per second with both proofs and the record entries: {rate(args.count, bulk_seconds):,.0f}"
        )
    return 0


def run_independent(awards: list[Any]) -> dict[str, tuple[int, float, int]] | None:
    """Verify a sample with the independent verifier of the tests (Node), per format; None if unavailable."""
    try:
        from tests.passport.independent import verify_independently
        from tests.passport.platform_documents import documents_for
    except ImportError:
        return None
    if not (ROOT / "node_modules" / "@digitalbazaar" / "vc").exists():
        return None
    documents = documents_for(awards)
    results: dict[str, tuple[int, float, int]] = {}
    for name, items in (
        ("jwt", [{"kind": "jwt", "jwt": award.jwt} for award in awards]),
        ("data-integrity", [{"kind": "di", "credential": award.credential} for award in awards]),
    ):
        start = time.perf_counter()
        answers = verify_independently(items, documents)
        results[name] = (len(items), time.perf_counter() - start, sum(1 for a in answers if a.get("verified")))
    return results


if __name__ == "__main__":
    raise SystemExit(main())
