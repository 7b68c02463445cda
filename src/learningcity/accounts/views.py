"""Signing up, in and out; verifying the e-mail address; the family list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.accounts import services
from learningcity.accounts.forms import FamilyMemberForm, SignupForm
from learningcity.accounts.models import FamilyMember
from learningcity.monitoring.selectors import feedback_due, follow_up_due
from learningcity.privacy.models import ConsentMethod
from learningcity.privacy.services import consent_give
from learningcity.service_errors import add_service_errors


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """A resident creates an account; a link to verify the address is e-mailed at once."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # the account and its consent to the notice, together or not at all
            user = form.save()
            consent_give(user=user, method=ConsentMethod.SIGNUP)
        services.email_verification_send(user=user)
        login(request, user, backend="learningcity.accounts.backends.AccountBackend")
        messages.success(
            request,
            _("Welcome! Your account is ready. We sent a link to %(email)s: open it to confirm your address.")
            % {"email": user.email},
        )
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The person's own account and roles."""
    user: Any = request.user
    context = {
        "memberships": user.memberships.select_related("organisation"),
        "feedback_due": feedback_due(user=user),
        "follow_up_due": follow_up_due(user=user),
    }
    return render(request, "accounts/account.html", context)


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the verification e-mail: works logged in or not, and twice without harm."""
    try:
        services.email_verify(token=token)
    except ValidationError as error:
        return render(request, "accounts/verify_failed.html", {"reason": " ".join(error.messages)}, status=400)
    messages.success(request, _("Thank you: your e-mail address is confirmed. You can now register for sessions."))
    return redirect("enrolment:mine" if request.user.is_authenticated else "accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def verification(request: HttpRequest) -> HttpResponse:
    """Asks an unverified person to open the e-mailed link, with a button to send it again."""
    user: Any = request.user
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if request.method == "POST" and not user.email_verified:
        services.email_verification_send(user=user)
        messages.success(request, _("We sent the link again to %(email)s.") % {"email": user.email})
        return redirect(f"{request.path}?next={next_url}" if next_url else request.path)
    return render(request, "accounts/verification.html", {"next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def family(request: HttpRequest) -> HttpResponse:
    """The children and relatives a person registers from their account, and a form to add one."""
    user: Any = request.user
    form = FamilyMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.family_member_add(account=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is on your family list.") % {"name": member.name})
            return redirect("accounts:family")
    members = FamilyMember.objects.current().filter(account=user)
    status = 400 if form.errors else 200
    return render(request, "accounts/family.html", {"form": form, "members": members}, status=status)


@login_required
@require_POST
def family_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a person off the family list (their past registrations stay)."""
    member = get_object_or_404(FamilyMember.objects.current(), pk=pk, account_id=request.user.pk)
    try:
        services.family_member_remove(member=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is no longer on your family list.") % {"name": member.name})
    return redirect("accounts:family")
