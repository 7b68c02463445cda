"""Writes of the voucher scheme: prices net of credit, spending and refunds, grants, expiry and coordinators' checks.

Every change of a balance locks the account row (`select_for_update`), writes one ledger entry with the
balance after it, and stores the new balance, in one transaction: the balance always equals the sum of
the account's entries, and the database refuses a negative one (CHECK constraint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.catalogue.models import City, District, Opportunity
from learningcity.credits import permissions, selectors
from learningcity.credits.models import (
    CENT,
    Account,
    AuditAction,
    AuditRecord,
    DeclarationStatus,
    Entry,
    EntryKind,
    GrantRun,
    GrantStatus,
    IdentityCheck,
    JobSeekerDeclaration,
    Scheme,
)

ZERO = Decimal("0.00")
GRANT_BATCH_SIZE = 500
EXPIRY_BATCH_SIZE = 500


class CreditChangedError(ValidationError):
    """The person's credit changed between the price they were shown and their registration."""


def cents(value: Decimal | int | None) -> Decimal:
    """An amount rounded to the cent (half up, as on a receipt); None counts as zero."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Quote:
    """What a registration costs this person: list price, reduced price, credit usable and what is left to pay."""

    user_id: int
    opportunity_id: int
    list_price: Decimal
    reduced_price: Decimal | None
    reduced: bool
    price: Decimal
    credit_held: Decimal
    credit_usable: Decimal
    credit_used: Decimal
    to_pay: Decimal
    identity_needed: bool
    balances: tuple[tuple[int, Decimal], ...] = ()

    @property
    def has_reduction(self) -> bool:
        """The opportunity offers a reduced price lower than its list price."""
        return self.reduced_price is not None and self.reduced_price < self.list_price


def quote(user: Any, opportunity: Opportunity, *, reduced: bool = False, today: date | None = None) -> Quote:
    """The price of a registration for this person, net of the reduced rate they declare and of their credit.

    Credit counts only in the opportunity's city, in schemes valid today, and only once a coordinator
    has checked the person's identity (public money); otherwise it is shown as held but not usable.
    """
    today = today or timezone.localdate()
    list_price = ZERO if opportunity.is_free else cents(opportunity.price)
    reduced_price = (
        None if opportunity.is_free or opportunity.reduced_price is None else cents(opportunity.reduced_price)
    )
    applies = reduced and reduced_price is not None and reduced_price < list_price
    price = reduced_price if applies and reduced_price is not None else list_price
    accounts: list[Account] = []
    if getattr(user, "is_authenticated", False):
        accounts = list(selectors.spendable_accounts(user_id=user.pk, city_id=opportunity.city_id, today=today))
    held = cents(sum((account.balance for account in accounts), ZERO))
    checked = bool(accounts) and selectors.identity_checked(user, opportunity.city_id)
    usable = held if checked else ZERO
    used = min(price, usable)
    return Quote(
        user_id=getattr(user, "pk", None) or 0, opportunity_id=opportunity.pk, list_price=list_price,
        reduced_price=reduced_price, reduced=applies, price=price, credit_held=held, credit_usable=usable,
        credit_used=used, to_pay=price - used, identity_needed=held > 0 and not checked,
        balances=tuple((account.pk, account.balance) for account in accounts) if checked else (),
    )  # fmt: skip


def _lock(accounts: QuerySet[Account]) -> list[Account]:
    """Lock account rows in primary-key order (one order everywhere, so two writers never deadlock)."""
    return list(accounts.select_for_update(no_key=True, of=("self",)).order_by("pk"))


def _move(account: Account, *, kind: str, amount: Decimal, **fields: Any) -> Entry:
    """Apply one movement to a locked account: new balance stored, one entry written with the balance after."""
    account.balance = cents(account.balance + amount)
    if account.balance < 0:
        raise ValidationError(_("This would make a balance negative."))
    account.save(update_fields=["balance"])
    return Entry.objects.create(account=account, kind=kind, amount=amount, balance_after=account.balance, **fields)


def _registration_labels(registration: Any) -> dict[str, str]:
    session = registration.session
    opportunity = session.opportunity
    day = timezone.localtime(session.start).date().isoformat()
    return {
        "label_fr": f"{opportunity.title_fr or opportunity.title_en} — {day}"[:300],
        "label_en": f"{opportunity.title_en or opportunity.title_fr} — {day}"[:300],
    }


def _net_spent(registration_id: int) -> dict[int, Decimal]:
    """Credit still taken from each account by this registration (spends minus refunds), by account."""
    net: dict[int, Decimal] = {}
    entries = Entry.objects.filter(registration_id=registration_id)
    # Summed in Python: exact decimals on every engine (SQLite would sum floating point).
    for account_id, amount in entries.values_list("account_id", "amount"):
        net[account_id] = net.get(account_id, ZERO) - amount
    return {account_id: owed for account_id, owed in net.items() if owed > 0}


@transaction.atomic
def spend_for_registration(registration: Any, quote: Quote, *, today: date | None = None) -> Decimal:
    """Pay the quote's credit for this registration; call it inside the registering transaction.

    Raises `CreditChangedError` (a ValidationError) if the person's credit moved since the quote, so they can
    be shown the new price; never makes a balance negative. Returns the credit spent.
    """
    if quote.credit_used <= 0:
        return ZERO
    today = today or timezone.localdate()
    opportunity = registration.session.opportunity
    if quote.opportunity_id != opportunity.pk:
        raise ValidationError(_("This price was worked out for another opportunity."))
    accounts = _lock(selectors.spendable_accounts(user_id=quote.user_id, city_id=opportunity.city_id, today=today))
    if _net_spent(registration.pk):
        raise ValidationError(_("This registration is already paid with credit."))
    if {account.pk: account.balance for account in accounts} != dict(quote.balances):
        raise CreditChangedError(
            _("Your learning credit changed since the price was shown. Please check the new price.")
        )
    labels = _registration_labels(registration)
    remaining = quote.credit_used
    for account in sorted(accounts, key=lambda a: (a.scheme.valid_until, a.pk)):
        take = min(account.balance, remaining)
        if take > 0:
            _move(account, kind=EntryKind.SPEND, amount=-take, registration_id=registration.pk, **labels)
            remaining -= take
    return quote.credit_used - remaining


@transaction.atomic
def refund_registration(registration: Any) -> Decimal:
    """Give back the credit a registration used (on cancellation); calling it again refunds nothing more."""
    account_ids = list(
        Entry.objects.filter(registration_id=registration.pk, kind=EntryKind.SPEND)
        .values_list("account_id", flat=True)
        .distinct()
    )
    accounts = _lock(Account.objects.filter(pk__in=account_ids))
    owed = _net_spent(registration.pk)
    labels = _registration_labels(registration)
    refunded = ZERO
    for account in accounts:
        if owed.get(account.pk, ZERO) > 0:
            _move(account, kind=EntryKind.REFUND, amount=owed[account.pk], registration_id=registration.pk, **labels)
            refunded += owed[account.pk]
    return refunded


def _audit(
    city: City, by: Any, action: str, *, scheme: Scheme | None = None, email: str = "", details: str = ""
) -> None:
    AuditRecord.objects.create(
        city=city, actor=by, action=action, scheme=scheme, subject_email=email, details=details[:500]
    )


def _require_coordinator(by: Any, city_id: int) -> None:
    if not permissions.can_manage_credits(by, city_id):
        raise PermissionDenied(_("Only the city's coordinators run its learning credit."))


@transaction.atomic
def scheme_create(*, city: City, by: Any, fields: dict[str, Any], districts: list[District]) -> Scheme:
    """A coordinator opens a scheme in their city."""
    _require_coordinator(by, city.pk)
    scheme = Scheme(city=city, created_by=by, **fields)
    scheme.full_clean(exclude=["created_by"])
    scheme.save()
    _set_districts(scheme, districts)
    _audit(city, by, AuditAction.SCHEME_CREATED, scheme=scheme, details=_scheme_facts(scheme))
    return scheme


@transaction.atomic
def scheme_update(*, scheme: Scheme, by: Any, fields: dict[str, Any], districts: list[District]) -> Scheme:
    """A coordinator changes a scheme; the amount is fixed once credit is granted, the budget never below it."""
    _require_coordinator(by, scheme.city_id)
    locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if "amount" in fields and cents(fields["amount"]) != locked.amount and locked.committed > 0:
        raise ValidationError({"amount": _("Credit is already granted: the amount per resident cannot change.")})
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_at = timezone.now()
    locked.full_clean(exclude=["created_by"])
    locked.save()
    _set_districts(locked, districts)
    _audit(locked.city, by, AuditAction.SCHEME_CHANGED, scheme=locked, details=_scheme_facts(locked))
    return locked


def _set_districts(scheme: Scheme, districts: list[District]) -> None:
    if any(district.city_id != scheme.city_id for district in districts):
        raise ValidationError({"districts": _("Choose districts of the scheme's city.")})
    scheme.districts.set(districts)


def _scheme_facts(scheme: Scheme) -> str:
    return (
        f"amount={scheme.amount} budget={scheme.budget} from={scheme.valid_from} until={scheme.valid_until} "
        f"ages={scheme.age_min}-{scheme.age_max} job_seekers_only={scheme.job_seekers_only}"
    )


@transaction.atomic
def grant_run_start(*, scheme: Scheme, by: Any, today: date | None = None) -> GrantRun:
    """A coordinator asks to credit every eligible resident; the task worker does it in batches."""
    from learningcity.credits import tasks

    _require_coordinator(by, scheme.city_id)
    today = today or timezone.localdate()
    if scheme.valid_until < today:
        raise ValidationError(_("This scheme has ended: its credit can no longer be granted."))
    if GrantRun.objects.filter(scheme=scheme, status__in=[GrantStatus.QUEUED, GrantStatus.RUNNING]).exists():
        raise ValidationError(_("A grant for this scheme is already under way."))
    run = GrantRun.objects.create(scheme=scheme, started_by=by)
    _audit(scheme.city, by, AuditAction.GRANT_STARTED, scheme=scheme, details=f"run={run.pk}")
    # Enqueued after commit so the worker never looks for a run that was rolled back.
    transaction.on_commit(lambda: tasks.grant_scheme.enqueue(run.pk))
    return run


def grant_run_execute(*, run_id: int, batch_size: int = GRANT_BATCH_SIZE, today: date | None = None) -> GrantRun:
    """Credit eligible residents batch by batch, once each, until none is left or the budget runs out."""
    today = today or timezone.localdate()
    run = GrantRun.objects.get(pk=run_id)
    if run.status in {GrantStatus.DONE, GrantStatus.BUDGET_EXHAUSTED}:
        return run
    GrantRun.objects.filter(pk=run_id).update(status=GrantStatus.RUNNING)
    while True:
        granted, left_without = _grant_batch(run, batch_size, today)
        if granted == 0:
            break
    status = GrantStatus.BUDGET_EXHAUSTED if left_without else GrantStatus.DONE
    GrantRun.objects.filter(pk=run_id).update(status=status, left_without=left_without, finished_at=timezone.now())
    run.refresh_from_db()
    return run


@transaction.atomic
def _grant_batch(run: GrantRun, batch_size: int, today: date) -> tuple[int, int]:
    """One batch under the scheme's lock: (residents credited, eligible residents the budget cannot cover)."""
    scheme = Scheme.objects.select_for_update().get(pk=run.scheme_id)
    if scheme.valid_until < today:
        return 0, 0
    waiting = selectors.eligible_residents(scheme, today).exclude(credit_accounts__scheme=scheme).order_by("pk")
    affordable = int(scheme.remaining_budget // scheme.amount)
    if affordable <= 0:
        return 0, waiting.count()
    user_ids = list(waiting.values_list("pk", flat=True)[: min(batch_size, affordable)])
    if not user_ids:
        return 0, 0
    now = timezone.now()
    accounts = Account.objects.bulk_create(
        [Account(user_id=user_id, scheme=scheme, balance=scheme.amount, created_at=now) for user_id in user_ids]
    )
    Entry.objects.bulk_create(
        Entry(account=account, kind=EntryKind.GRANT, amount=scheme.amount, balance_after=scheme.amount,
              grant_run=run, created_at=now)
        for account in accounts
    )  # fmt: skip
    # New values computed here, under the lock, rather than in SQL: SQLite's arithmetic on decimals is floating point.
    total = scheme.amount * len(accounts)
    scheme.committed = cents(scheme.committed + total)
    scheme.save(update_fields=["committed"])
    run.refresh_from_db(fields=["granted_count", "granted_amount"])
    run.granted_count += len(accounts)
    run.granted_amount = cents(run.granted_amount + total)
    run.save(update_fields=["granted_count", "granted_amount"])
    return len(accounts), 0


def schemes_expire(*, today: date | None = None, batch_size: int = EXPIRY_BATCH_SIZE) -> Decimal:
    """Credit left in schemes that ended before today expires (run daily; running it again expires nothing)."""
    today = today or timezone.localdate()
    expired = ZERO
    ended = Account.objects.filter(scheme__valid_until__lt=today, balance__gt=0)
    while ids := list(ended.order_by("pk").values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            for account in _lock(Account.objects.filter(pk__in=ids, balance__gt=0)):
                expired += account.balance
                _move(account, kind=EntryKind.EXPIRY, amount=-account.balance)
    return expired


@transaction.atomic
def account_correct(*, account: Account, by: Any, amount: Decimal, note: str) -> Entry:
    """A coordinator corrects a balance with a new entry (never by changing one); credit added uses the budget."""
    _require_coordinator(by, account.scheme.city_id)
    amount, note = cents(amount), note.strip()
    errors: dict[str, str] = {}
    if amount == 0:
        errors["amount"] = _("Give an amount other than zero: positive to add credit, negative to take it back.")
    if not note:
        errors["note"] = _("Say why the balance is corrected; the reason stays in the ledger.")
    if errors:
        raise ValidationError(errors)
    scheme = Scheme.objects.select_for_update().get(pk=account.scheme_id)
    [locked] = _lock(Account.objects.filter(pk=account.pk))
    if locked.balance + amount < 0:
        raise ValidationError({"amount": _("At most %(balance)s € can be taken back.") % {"balance": locked.balance}})
    if amount > scheme.remaining_budget:
        raise ValidationError(
            {"amount": _("Only %(left)s € of the budget is left.") % {"left": scheme.remaining_budget}}
        )
    entry = _move(locked, kind=EntryKind.CORRECTION, amount=amount, coordinator=by, note=note)
    scheme.committed = cents(scheme.committed + amount)
    scheme.save(update_fields=["committed"])
    _audit(scheme.city, by, AuditAction.CORRECTION, scheme=scheme, email=locked.user.email,
           details=f"entry={entry.pk} amount={amount} reason={note}")  # fmt: skip
    return entry


@transaction.atomic
def identity_check_record(
    *, city: City, by: Any, user: Any, document_kind: str, year_of_birth: int | None = None,
    district: District | None = None,
) -> IdentityCheck:  # fmt: skip
    """A coordinator records that they saw this resident's identity document (only its kind is kept).

    The year of birth and district they confirm at the same time, if any, are saved on the account:
    schemes' criteria read them.
    """
    _require_coordinator(by, city.pk)
    if district is not None and district.city_id != city.pk:
        raise ValidationError({"district": _("Choose a district of the city.")})
    existing = IdentityCheck.objects.filter(user=user, city=city).first()
    if existing is not None:
        raise ValidationError(
            {"email": _("This resident's identity was already checked on %(date)s.")
             % {"date": timezone.localtime(existing.checked_at).date().isoformat()}}
        )  # fmt: skip
    check = IdentityCheck(user=user, city=city, document_kind=document_kind, checked_by=by)
    check.full_clean()
    check.save()
    confirmed = {"year_of_birth": year_of_birth, "district": district}
    confirmed = {name: value for name, value in confirmed.items() if value is not None}
    for name, value in confirmed.items():
        setattr(user, name, value)
    if confirmed:
        user.save(update_fields=list(confirmed))
    details = (
        f"document={document_kind} year_of_birth={year_of_birth or ''} district={district.code if district else ''}"
    )
    _audit(city, by, AuditAction.IDENTITY_CHECKED, email=user.email, details=details)
    return check


@transaction.atomic
def job_seeker_declare(*, user: Any, city: City, evidence_kind: str, evidence_reference: str) -> JobSeekerDeclaration:
    """A resident declares they are looking for work, giving the kind and reference of their proof."""
    if JobSeekerDeclaration.objects.filter(user=user, city=city, status=DeclarationStatus.PENDING).exists():
        raise ValidationError(_("Your declaration is already waiting for a check by the city."))
    declaration = JobSeekerDeclaration(
        user=user, city=city, evidence_kind=evidence_kind, evidence_reference=evidence_reference.strip()
    )
    declaration.full_clean()
    declaration.save()
    return declaration


@transaction.atomic
def job_seeker_decide(
    *, declaration: JobSeekerDeclaration, by: Any, accept: bool, valid_until: date | None, note: str,
    today: date | None = None,
) -> JobSeekerDeclaration:  # fmt: skip
    """A coordinator accepts a declaration (until a date) or does not (saying why)."""
    _require_coordinator(by, declaration.city_id)
    today = today or timezone.localdate()
    locked = JobSeekerDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if locked.status != DeclarationStatus.PENDING:
        raise ValidationError(_("This declaration was already decided."))
    if accept and (valid_until is None or valid_until < today):
        raise ValidationError({"valid_until": _("Give the date the job-seeker status ends, today or later.")})
    if not accept and not note.strip():
        raise ValidationError({"note": _("Tell the resident why their declaration is not accepted.")})
    locked.status = DeclarationStatus.ACCEPTED if accept else DeclarationStatus.REJECTED
    locked.valid_until = valid_until if accept else None
    locked.decision_note = note.strip()
    locked.checked_by, locked.checked_at = by, timezone.now()
    locked.save()
    action = AuditAction.JOB_SEEKER_ACCEPTED if accept else AuditAction.JOB_SEEKER_REJECTED
    _audit(locked.city, by, action, email=locked.user.email, details=f"declaration={locked.pk} until={valid_until}")
    return locked


def ledger_exported(*, city: City, by: Any, rows: int) -> None:
    """Keep a trace that a coordinator downloaded the ledger (it names residents)."""
    _require_coordinator(by, city.pk)
    _audit(city, by, AuditAction.LEDGER_EXPORTED, details=f"rows={rows}")
