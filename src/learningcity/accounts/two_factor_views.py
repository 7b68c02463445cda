"""Two-factor pages: status, set-up with a QR code, the code after the password, recovery codes, turning off."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from learningcity.accounts import two_factor
from learningcity.accounts.security_forms import FirstCodeForm, TokenForm


def safe_next(request: HttpRequest) -> str:
    """The page to return to after this step, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if allowed else ""


@login_required
@require_GET
def status(request: HttpRequest) -> HttpResponse:
    """Whether two-factor is on, how many recovery codes are left, and what can be done."""
    user: Any = request.user
    context = {
        "device": two_factor.authenticator(user),
        "required": two_factor.required_by_role(user),
        "codes_left": two_factor.recovery_codes_left(user),
        "form": TokenForm(),
    }
    return render(request, "accounts/two_factor.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator: scan the QR code (or type the secret), then give its first code."""
    user: Any = request.user
    next_url = safe_next(request)
    if two_factor.authenticator(user) and not user.is_verified():
        # Replacing an authenticator needs the current one: a password alone must not do it.
        return redirect(reverse("accounts:two-factor-verify") + "?next=" + reverse("accounts:two-factor-setup"))
    device = two_factor.pending_authenticator(request, fresh=request.method != "POST")
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.authenticator_confirm(user=user, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            two_factor.session_verify(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": next_url})
        form.add_error("token", _("This code does not match. Check the app shows this account and type its code."))
    context = {
        "form": form,
        "next": next_url,
        "qr_code": two_factor.qr_code_data_uri(device),
        "secret": two_factor.secret_text(device),
        "required": two_factor.required_by_role(user),
        "replacing": two_factor.authenticator(user) is not None,
    }
    return render(request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or a recovery code."""
    user: Any = request.user
    next_url = safe_next(request)
    if user.is_verified() or two_factor.authenticator(user) is None:
        return redirect(next_url or reverse("accounts:two-factor"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not refuse_while_throttled(form, user):
        device = two_factor.two_factor_verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            two_factor.session_verify(request, device)
            if isinstance(device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                message = ngettext(
                    "You used a recovery code; %(count)d is left.",
                    "You used a recovery code; %(count)d are left.",
                    left,
                )
                messages.warning(request, message % {"count": left})
            return redirect(next_url or "home")
        form.add_error("token", _("This code is not right, or was already used. Type the code your app shows now."))
    context = {"form": form, "next": next_url}
    return render(request, "accounts/two_factor_verify.html", context, status=400 if form.errors else 200)


def refuse_while_throttled(form: TokenForm, user: Any) -> bool:
    """After wrong codes in a row django-otp makes each next try wait longer; say how long, try nothing."""
    wait = two_factor.verification_wait(user)
    if wait:
        message = ngettext(
            "Too many wrong codes in a row: wait %(seconds)d second, then type the code shown then.",
            "Too many wrong codes in a row: wait %(seconds)d seconds, then type the code shown then.",
            wait,
        )
        form.add_error("token", message % {"seconds": wait})
    return bool(wait)


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (the old ones stop working) and show the new ones once."""
    user: Any = request.user
    if two_factor.authenticator(user) is None:
        return redirect("accounts:two-factor")
    codes = two_factor.recovery_codes_renew(user=user)
    return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": ""})


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off with a current code; not for roles that require it."""
    user: Any = request.user
    if two_factor.required_by_role(user) and two_factor.two_factor_required():
        messages.error(request, _("Your role requires two-factor authentication: it cannot be turned off."))
        return redirect("accounts:two-factor")
    form = TokenForm(request.POST)
    if form.is_valid() and not refuse_while_throttled(form, user):
        if two_factor.two_factor_verify(user=user, token=form.cleaned_data["token"]):
            two_factor.two_factor_disable(user=user)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:two-factor")
        form.add_error("token", _("This code is not right, or was already used. Type the code your app shows now."))
    context = {
        "device": two_factor.authenticator(user),
        "required": False,
        "codes_left": two_factor.recovery_codes_left(user),
        "form": form,
    }
    return render(request, "accounts/two_factor.html", context, status=400)
