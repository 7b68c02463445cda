"""Admin for registrations."""

from django.contrib import admin

from learningcity.enrolment.models import Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin[Registration]):
    list_display = ["user", "session", "status", "attended"]
    list_filter = ["status", "attended"]
    raw_id_fields = ["user", "session"]
