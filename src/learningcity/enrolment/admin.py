"""Admin for registrations, windows, cancelled sessions and message choices."""

from django.contrib import admin

from learningcity.enrolment.models import MessagePreference, Registration, RegistrationWindow, SessionCancellation


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin[Registration]):
    list_display = ["user", "session", "family_member", "group_name", "places", "status", "attended"]
    list_filter = ["status", "attended", "cancellation_reason"]
    search_fields = ["user__email", "group_name", "family_member__name"]
    raw_id_fields = ["user", "session", "family_member", "group_organisation"]


@admin.register(RegistrationWindow)
class RegistrationWindowAdmin(admin.ModelAdmin[RegistrationWindow]):
    list_display = ["opportunity", "opens_at", "closes_at"]
    raw_id_fields = ["opportunity"]


@admin.register(SessionCancellation)
class SessionCancellationAdmin(admin.ModelAdmin[SessionCancellation]):
    list_display = ["session", "cancelled_at", "cancelled_by"]
    raw_id_fields = ["session", "cancelled_by"]


@admin.register(MessagePreference)
class MessagePreferenceAdmin(admin.ModelAdmin[MessagePreference]):
    list_display = ["user", "confirmations", "reminders", "cancellations"]
    raw_id_fields = ["user"]
