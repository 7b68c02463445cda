"""Forgotten password (reset by e-mail) and changing one's password: Django's views with our templates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from learningcity.accounts.password_reset import after_password_change, after_password_reset
from learningcity.accounts.security_forms import PasswordResetRequestForm


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the address; always answers "if an account uses it, we sent a link"."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    """The same page whether or not the address is known."""

    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the e-mail: choose a new password (or learn the link no longer works)."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        after_password_reset(form.user)
        messages.success(self.request, _("Your password is changed. You can log in with it now."))
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordChangeView(auth_views.PasswordChangeView):
    """A logged-in person changes their password; their other sessions are logged out."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        revoked = after_password_change(form.user)
        messages.success(self.request, _("Your password is changed. Your other sessions are logged out."))
        if revoked:
            messages.warning(
                self.request,
                ngettext(
                    "Your API token was revoked with the old password: make a new one if you still need it.",
                    "Your %(count)d API tokens were revoked with the old password: make new ones if you still "
                    "need them.",
                    revoked,
                )
                % {"count": revoked},
            )
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)
