"""Forms of the enrolment pages: who registers, group bookings, attendance, windows, message choices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from learningcity.accounts.models import FamilyMember
from learningcity.catalogue.models import Organisation
from learningcity.enrolment.models import Registration
from learningcity.enrolment.services import MAX_GROUP_PLACES

MYSELF = "me"


class ParticipantForm(forms.Form):
    """Who is coming: the account holder or one of their family members."""

    participant = forms.ChoiceField(label=_("Who is coming?"), widget=forms.RadioSelect)
    use_credit = forms.BooleanField(label=_("Pay with my learning credit"), required=False, initial=True)
    reduced_price = forms.BooleanField(label=_("I meet the conditions of the reduced price"), required=False)

    def __init__(
        self, *args: Any, user: Any, family: list[FamilyMember], opportunity: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Price choices only where there is a price (and a reduced one) to choose about.
        if opportunity is None or opportunity.is_free:
            del self.fields["use_credit"]
        if opportunity is None or opportunity.is_free or opportunity.reduced_price is None:
            del self.fields["reduced_price"]
        elif opportunity.reduced_price_conditions:
            self.fields["reduced_price"].help_text = opportunity.reduced_price_conditions
            self.fields["reduced_price"].widget.attrs["aria-describedby"] = "id_reduced_price-hint"
        name = user.display_name or user.email
        choices = [(MYSELF, _("Me (%(name)s)") % {"name": name})]
        choices += [(str(member.pk), f"{member.name} ({member.year_of_birth})") for member in family]
        self.fields["participant"].choices = choices  # type: ignore[attr-defined]
        self.fields["participant"].initial = MYSELF
        self.family = {str(member.pk): member for member in family}

    def price_choices(self) -> dict[str, bool]:
        """Whether to pay with credit and at the reduced price (call after is_valid)."""
        return {
            "use_credit": self.cleaned_data.get("use_credit", True) if "use_credit" in self.fields else True,
            "reduced_price": bool(self.cleaned_data.get("reduced_price", False)),
        }

    def family_member(self) -> FamilyMember | None:
        """The family member chosen, or None for the account holder (call after is_valid)."""
        return self.family.get(self.cleaned_data["participant"])


class GroupBookingForm(forms.Form):
    """Places for a named group: a school class, an association."""

    group_name = forms.CharField(
        label=_("Name of the group"),
        max_length=200,
        help_text=_("For example: Class 5B, Jules Ferry school"),
    )
    group_organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none(), empty_label=None
    )
    places = forms.IntegerField(
        label=_("Number of places"), min_value=1, max_value=MAX_GROUP_PLACES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_organisation"].queryset = organisations  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    """Ticks for the people present, among the confirmed registrations of a session."""

    present = forms.MultipleChoiceField(label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, registrations: list[Registration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(row.pk), attendance_label(row)) for row in registrations]
        self.fields["present"].choices = choices  # type: ignore[attr-defined]

    def present_ids(self) -> set[int]:
        """The registrations ticked present (call after is_valid)."""
        return {int(value) for value in self.cleaned_data["present"]}


def attendance_label(registration: Registration) -> str:
    """The participant's name, with the number of places for a group."""
    if registration.places == 1:
        return registration.participant_name
    places = ngettext("%(count)d place", "%(count)d places", registration.places) % {"count": registration.places}
    return f"{registration.participant_name} ({places})"


class SessionCancelForm(forms.Form):
    """Why a session is called off (sent to everyone registered)."""

    reason = forms.CharField(
        label=_("Message to the people registered"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the speaker is ill; a new date will be announced."),
    )


class WindowForm(forms.Form):
    """When registration opens and closes, in the city's local time."""

    opens_at = forms.DateTimeField(
        label=_("Registration opens"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to open at once."),
    )
    closes_at = forms.DateTimeField(
        label=_("Registration closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to keep it open until each session starts."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Registration must close after it opens."))
        return data

    def local(self, name: str, zone: Any) -> datetime | None:
        """A field's value as an aware moment in `zone` (the form reads wall-clock time)."""
        value: datetime | None = self.cleaned_data.get(name)
        if value is None:
            return None
        return timezone.make_aware(timezone.make_naive(value), zone) if timezone.is_aware(value) else value


class PreferenceForm(forms.Form):
    """Which e-mails about registrations a person receives."""

    confirmations = forms.BooleanField(label=_("Confirmation when I register or join a waitlist"), required=False)
    reminders = forms.BooleanField(label=_("Reminder the day before a session"), required=False)
    cancellations = forms.BooleanField(
        label=_("Cancellations (mine, or a session called off by the organiser)"), required=False
    )
