"""Pages of the passport: awarding (included by passport/urls.py under the "passport" namespace)."""

from django.urls import path

from learningcity.passport import awarding_award_views, awarding_claim_views, views_awarding

ACHIEVEMENT = "passport/issuer/achievements/<uuid:value>/"

urlpatterns = [
    path("passport/issuer/", views_awarding.workspace, name="issuer"),
    path("passport/issuer/keys/", views_awarding.issuer_keys, name="issuer-keys"),
    path("passport/issuer/achievements/new/", views_awarding.achievement_add, name="achievement-add"),
    path(ACHIEVEMENT, views_awarding.achievement_manage, name="achievement-manage"),
    path(ACHIEVEMENT + "edit/", views_awarding.achievement_edit, name="achievement-edit"),
    path(ACHIEVEMENT + "qr/", views_awarding.achievement_qr, name="achievement-qr"),
    path(ACHIEVEMENT + "award/", awarding_award_views.award_hand, name="award-hand"),
    path(ACHIEVEMENT + "roster/", awarding_award_views.award_roster, name="award-roster"),
    path(ACHIEVEMENT + "csv/", awarding_award_views.award_csv, name="award-csv"),
    path(ACHIEVEMENT + "csv/<str:token>/", awarding_award_views.award_csv_preview, name="award-csv-preview"),
    path("passport/issuer/awards/<uuid:value>/revoke/", awarding_award_views.award_revoke, name="award-revoke"),
    path("passport/issuer/requests/<int:pk>/", awarding_claim_views.request_review, name="request-review"),
    path("passport/requests/<int:pk>/evidence/", awarding_claim_views.request_evidence, name="request-evidence"),
    path("achievements/<uuid:value>/", views_awarding.achievement_page, name="achievement"),
    path("achievements/<uuid:value>/image/", views_awarding.achievement_image, name="achievement-image"),
    path("achievements/<uuid:value>/ask/", awarding_claim_views.achievement_request, name="achievement-request"),
    path("achievements/<uuid:value>/endorse/", views_awarding.achievement_endorse, name="achievement-endorse"),
    path("claim/", awarding_claim_views.claim, name="claim"),
    path("claim/<str:code>/", awarding_claim_views.claim_code, name="claim-code"),
]
