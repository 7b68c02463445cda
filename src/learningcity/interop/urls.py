from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from learningcity.interop import views


def mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    """The column-mapping step of spreadsheets (imported late: it needs the tabular format)."""
    from learningcity.interop.mapping_views import mapping as view

    response: HttpResponse = view(request, job_id)
    return response


app_name = "interop"

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<int:job_id>/", views.job, name="job"),
    path("imports/<int:job_id>/status/", views.job_status, name="job-status"),
    path("imports/<int:job_id>/columns/", mapping, name="mapping"),
    path("imports/<int:job_id>/import/", views.job_commit, name="job-commit"),
    path("imports/<int:job_id>/cancel/", views.job_cancel, name="job-cancel"),
    path("imports/<int:job_id>/report.csv", views.job_report, name="job-report"),
    path("imports/subscriptions/", views.subscribe, name="subscribe"),
    path("imports/subscriptions/<int:subscription_id>/", views.subscription_action, name="subscription"),
    path("", include("learningcity.interop.curation_urls")),
]
