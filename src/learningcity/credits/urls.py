"""Pages of the voucher scheme: the resident's credit, and the coordinators' pages under /coordinate/."""

from django.urls import path

from learningcity.credits import views

app_name = "credits"
urlpatterns = [
    path("credits/", views.my_credit, name="mine"),
    path("credits/job-seeker/", views.job_seeker_declare, name="job-seeker"),
    path("coordinate/credits/", views.coordinate, name="coordinate"),
    path("coordinate/credits/schemes/new/", views.scheme_edit, name="scheme-add"),
    path("coordinate/credits/schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("coordinate/credits/schemes/<int:pk>/edit/", views.scheme_edit, name="scheme-edit"),
    path("coordinate/credits/schemes/<int:pk>/grant/", views.scheme_grant, name="scheme-grant"),
    path("coordinate/credits/identity/", views.identity_check, name="identity"),
    path("coordinate/credits/job-seekers/", views.job_seekers, name="job-seekers"),
    path("coordinate/credits/job-seekers/<int:pk>/", views.job_seeker_decide, name="job-seeker-decide"),
    path("coordinate/credits/accounts/<int:pk>/", views.account_detail, name="account"),
    path("coordinate/credits/ledger/", views.ledger, name="ledger"),
]
