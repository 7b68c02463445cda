"""Reads of the voucher scheme shared by pages, services, the command line and the coordinator's audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.catalogue.models import City, District
from learningcity.catalogue.selectors import current_city
from learningcity.credits.models import (
    CENT,
    Account,
    DeclarationStatus,
    Entry,
    EntryKind,
    IdentityCheck,
    JobSeekerDeclaration,
    Scheme,
)

ZERO = Decimal("0.00")


def resident_city(user: Any) -> City | None:
    """The city a resident lives in (from their district), else the instance's city."""
    if getattr(user, "district_id", None):
        return City.objects.filter(districts__pk=user.district_id).first()
    return current_city()


def identity_checked(user: Any, city_id: int) -> bool:
    """A coordinator of the city has seen this person's identity document."""
    return bool(user.is_authenticated and IdentityCheck.objects.filter(user_id=user.pk, city_id=city_id).exists())


def spendable_accounts(*, user_id: int, city_id: int, today: date) -> QuerySet[Account]:
    """The person's accounts holding credit in the city's schemes valid today, soonest to expire first."""
    return (
        Account.objects.filter(
            user_id=user_id,
            scheme__city_id=city_id,
            balance__gt=0,
            scheme__valid_from__lte=today,
            scheme__valid_until__gte=today,
        )
        .select_related("scheme")
        .order_by("scheme__valid_until", "pk")
    )


def job_seeker_valid(city_id: int, today: date) -> Q:
    """Users with an accepted job-seeker declaration in the city, still valid on `today`."""
    accepted = JobSeekerDeclaration.objects.filter(
        user=OuterRef("pk"), city_id=city_id, status=DeclarationStatus.ACCEPTED, valid_until__gte=today
    )
    return Q(Exists(accepted))


def eligible_residents(scheme: Scheme, today: date) -> QuerySet[User]:
    """Active residents of the scheme's city who meet its criteria today (age from the year of birth alone)."""
    users = User.objects.filter(is_active=True, district__city_id=scheme.city_id)
    if scheme.age_min is not None:
        users = users.filter(year_of_birth__lte=today.year - scheme.age_min)
    if scheme.age_max is not None:
        users = users.filter(year_of_birth__gte=today.year - scheme.age_max)
    district_ids = list(scheme.districts.values_list("pk", flat=True))
    if district_ids:
        users = users.filter(district_id__in=district_ids)
    if scheme.job_seekers_only:
        users = users.filter(job_seeker_valid(scheme.city_id, today))
    return users


def is_eligible(user: Any, scheme: Scheme, today: date) -> bool:
    """Whether this person meets the scheme's criteria today (the same rule as the grant)."""
    return bool(user.is_authenticated and eligible_residents(scheme, today).filter(pk=user.pk).exists())


def criteria_text(scheme: Scheme) -> list[str]:
    """The scheme's criteria in plain words, for residents and coordinators."""
    from django.utils.translation import gettext as _

    parts = []
    if scheme.age_min is not None and scheme.age_max is not None:
        parts.append(_("aged %(min)s to %(max)s this year") % {"min": scheme.age_min, "max": scheme.age_max})
    elif scheme.age_min is not None:
        parts.append(_("aged %(min)s or more this year") % {"min": scheme.age_min})
    elif scheme.age_max is not None:
        parts.append(_("aged %(max)s or less this year") % {"max": scheme.age_max})
    if scheme.job_seekers_only:
        parts.append(_("looking for work (job-seeker status checked by the city)"))
    districts = [district.name for district in scheme.districts.all()]
    if districts:
        parts.append(_("living in: %(districts)s") % {"districts": ", ".join(districts)})
    return parts or [_("every resident of the city")]


@dataclass(frozen=True)
class AccountLine:
    """One of a resident's accounts and where its scheme stands today."""

    account: Account
    usable_today: bool
    ended: bool


@dataclass
class CreditSummary:
    """What a resident sees of their credit: accounts, history, identity and job-seeker status."""

    city: City | None
    accounts: list[AccountLine]
    entries: list[Entry]
    spendable: Decimal
    identity_checked: bool
    declaration: JobSeekerDeclaration | None
    open_schemes: list[Scheme] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        """Credit held in schemes still valid today, usable or not yet."""
        return sum((line.account.balance for line in self.accounts if line.usable_today), ZERO)


def credit_summary(user: Any, *, history: int = 100, today: date | None = None) -> CreditSummary:
    """A resident's credit in their city, newest history first."""
    today = today or timezone.localdate()
    city = resident_city(user)
    accounts = [
        AccountLine(account, account.scheme.is_valid_on(today), account.scheme.valid_until < today)
        for account in Account.objects.filter(user_id=user.pk)
        .select_related("scheme")
        .order_by("-scheme__valid_until", "pk")
    ]
    entries = list(
        Entry.objects.filter(account__user_id=user.pk)
        .select_related("account__scheme")
        .order_by("-created_at", "-pk")[:history]
    )
    if city is None:
        return CreditSummary(None, accounts, entries, ZERO, False, None)
    checked = identity_checked(user, city.pk)
    spendable = (
        sum((a.balance for a in spendable_accounts(user_id=user.pk, city_id=city.pk, today=today)), ZERO)
        if checked
        else ZERO
    )
    declaration = JobSeekerDeclaration.objects.filter(user_id=user.pk, city=city).first()
    held = {line.account.scheme_id for line in accounts}
    open_schemes = [s for s in open_schemes_of(city, today) if s.pk not in held]
    return CreditSummary(city, accounts, entries, spendable, checked, declaration, open_schemes)


def open_schemes_of(city: City, today: date) -> list[Scheme]:
    """The city's schemes whose credit can still be spent."""
    return list(Scheme.objects.filter(city=city, valid_until__gte=today).prefetch_related("districts"))


@dataclass(frozen=True)
class LedgerFilters:
    """What a coordinator narrows the ledger by."""

    scheme: Scheme | None = None
    district: District | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def ledger_entries(*, city: City, filters: LedgerFilters) -> QuerySet[Entry]:
    """Every entry of the city's schemes matching the filters, oldest first (days are local days)."""
    entries = Entry.objects.filter(account__scheme__city=city)
    if filters.scheme is not None:
        entries = entries.filter(account__scheme=filters.scheme)
    if filters.district is not None:
        entries = entries.filter(account__user__district=filters.district)
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.date_from is not None:
        entries = entries.filter(created_at__gte=_local_midnight(filters.date_from))
    if filters.date_to is not None:
        entries = entries.filter(created_at__lt=_local_midnight(filters.date_to + timedelta(days=1)))
    return entries.select_related("account__user__district", "account__scheme", "coordinator").order_by(
        "created_at", "pk"
    )


def totals_by_kind(entries: QuerySet[Entry]) -> dict[str, Decimal]:
    """The sum of amounts for each kind of entry (every kind present, zero when none)."""
    rows = entries.order_by().values("kind").annotate(total=Sum("amount"))
    # Rounded to the cent: SQLite sums decimals as floating point (PostgreSQL's numeric is exact anyway).
    sums = {row["kind"]: Decimal(row["total"]).quantize(CENT) for row in rows}
    return {kind: sums.get(kind, ZERO) for kind in EntryKind.values}


@dataclass(frozen=True)
class Reconciliation:
    """A scheme's money from budget to balances: granted - spent + refunded - expired (+ corrections) = held."""

    scheme: Scheme
    budget: Decimal
    granted: Decimal
    corrections: Decimal
    spent: Decimal
    refunded: Decimal
    expired: Decimal
    held: Decimal

    @property
    def remaining(self) -> Decimal:
        """Budget not yet put in anyone's account."""
        return self.budget - self.granted - self.corrections

    @property
    def balanced(self) -> bool:
        """The balances held equal what the entries add up to, and the scheme's commitment matches."""
        flows = self.granted + self.corrections - self.spent + self.refunded - self.expired
        return flows == self.held and self.scheme.committed == self.granted + self.corrections


def reconciliation(scheme: Scheme) -> Reconciliation:
    """The reconciliation line of one scheme, from its entries and its accounts."""
    sums = totals_by_kind(Entry.objects.filter(account__scheme=scheme))
    held = Account.objects.filter(scheme=scheme).aggregate(total=Coalesce(Sum("balance"), ZERO))["total"].quantize(CENT)
    return Reconciliation(
        scheme=scheme, budget=scheme.budget, granted=sums[EntryKind.GRANT], corrections=sums[EntryKind.CORRECTION],
        spent=-sums[EntryKind.SPEND], refunded=sums[EntryKind.REFUND], expired=-sums[EntryKind.EXPIRY], held=held,
    )  # fmt: skip


def ledger_discrepancies(*, city: City | None = None) -> list[Account]:
    """Accounts whose stored balance differs from the sum of their entries (there should never be any)."""
    accounts = Account.objects.annotate(entry_sum=Coalesce(Sum("entries__amount"), ZERO)).select_related("user")
    if city is not None:
        accounts = accounts.filter(scheme__city=city)
    wrong: list[Account] = []
    # Compared in Python: SQLite sums decimals as floating point, so an SQL equality could misfire.
    for account in accounts.order_by("pk").iterator(chunk_size=2000):
        account.entry_sum = Decimal(account.entry_sum).quantize(CENT)
        if account.entry_sum != account.balance:
            wrong.append(account)
    return wrong
