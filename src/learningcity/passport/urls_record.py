"""Pages of the passport: record (included by passport/urls.py under the "passport" namespace)."""

from django.urls import path

from learningcity.passport import record_sharing, views_record

urlpatterns = [
    path("passport/", views_record.record, name="record"),
    path("passport/family/<int:member>/consent/", views_record.consent, name="consent"),
    path("passport/entries/new/", views_record.entry_add, name="entry-add"),
    path("passport/entries/<int:pk>/edit/", views_record.entry_edit, name="entry-edit"),
    path("passport/entries/<int:pk>/delete/", views_record.entry_delete, name="entry-delete"),
    path("passport/entries/<int:pk>/evidence/", views_record.evidence, name="evidence"),
    path("passport/endorsements/", views_record.endorsements, name="endorsements"),
    path("passport/endorsements/<int:pk>/", views_record.endorsement_decide, name="endorsement-decide"),
    path("passport/import/", views_record.credential_import, name="import"),
    path("passport/credentials/<uuid:value>/", record_sharing.my_credential, name="my-credential"),
    path("passport/credentials/<uuid:value>/share/", record_sharing.credential_share, name="my-credential-share"),
    path(
        "passport/credentials/<uuid:value>/credential.json", record_sharing.credential_json, name="my-credential-json"
    ),
    path("passport/credentials/<uuid:value>/credential.jwt", record_sharing.credential_jwt, name="my-credential-jwt"),
    path("passport/credentials/<uuid:value>/certificate.pdf", record_sharing.credential_pdf, name="my-credential-pdf"),
    path("passport/profile/", record_sharing.profile_settings, name="profile-settings"),
    path("passport/people/<uuid:slug>/", record_sharing.public_profile, name="profile"),
    path("passport/export/", record_sharing.export, name="export"),
    path("passport/erase/", record_sharing.erase, name="erase"),
]
