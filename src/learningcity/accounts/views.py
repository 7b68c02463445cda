"""Signing up, in and out."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from learningcity.accounts.forms import SignupForm
from learningcity.monitoring.selectors import feedback_due, follow_up_due


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """A resident creates an account."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
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
