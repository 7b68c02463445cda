"""Pages where a person makes, lists and revokes their own API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from learningcity.accounts import token_services
from learningcity.accounts.models import ApiToken
from learningcity.accounts.token_forms import ApiTokenForm
from learningcity.service_errors import add_service_errors


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """A person's tokens and the form to make one; a new token is shown on this one response only."""
    user: Any = request.user
    form = ApiTokenForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            issued = token_services.token_create(
                owner=user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
                organisation=form.cleaned_data.get("organisation"), expires_at=form.expires_at(),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error, {"expires_at": "expires_on"})
        else:
            return render(request, "accounts/tokens/created.html", {"token": issued.token, "value": issued.value})
    context = {"form": form, "tokens": token_services.tokens_of(user)}
    return render(request, "accounts/tokens/list.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own tokens (another person's is not found)."""
    token = get_object_or_404(ApiToken, pk=pk, owner_id=request.user.pk)
    token_services.token_revoke(token=token, by=request.user)
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("accounts:api-tokens")
