"""URL map: localised pages under /fr/ and /en/, the API under /api/v1/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from learningcity import views
from learningcity.api import api

handler500 = "learningcity.failures.server_error"  # an outage met outside a view is a 503, not a 500

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("healthz", views.healthz, name="healthz"),
    path("reading-mode", views.reading_mode, name="reading-mode"),
    path("language", views.switch_language, name="switch-language"),
    path("", include("learningcity.interop.sitemap")),  # /sitemap.xml and its /sitemap-<n>.xml files
    path("", include("learningcity.passport.public_urls")),  # DID documents, status lists, credential ids
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accounts/", include("learningcity.accounts.urls")),
    path("", include("learningcity.catalogue.urls")),
    path("", include("learningcity.monitoring.urls")),
    path("", include("learningcity.search.urls")),
    path("", include("learningcity.enrolment.urls")),
    path("", include("learningcity.credits.urls")),
    path("", include("learningcity.festival.urls")),
    path("", include("learningcity.calendars.urls")),
    path("", include("learningcity.interop.urls")),
    path("", include("learningcity.passport.urls")),
    path("", include("learningcity.privacy.urls")),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
)
