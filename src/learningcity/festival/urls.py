"""Festival pages (the coordinator's addresses come first: "manage" is no festival's slug)."""

from django.urls import path

from learningcity.festival import views

app_name = "festival"
urlpatterns = [
    path("festival/", views.festival_index, name="index"),
    path("festival/manage/", views.manage_list, name="manage-list"),
    path("festival/manage/new/", views.festival_create, name="create"),
    path("festival/<slug:slug>/", views.programme, name="programme"),
    path("festival/<slug:slug>/submit/", views.submit, name="submit"),
    path("festival/<slug:slug>/submit/new/", views.submit_new, name="submit-new"),
    path("festival/<slug:slug>/manage/", views.manage, name="manage"),
    path("festival/<slug:slug>/manage/edit/", views.festival_edit, name="edit"),
    path("festival/<slug:slug>/manage/submissions/<int:pk>/", views.decide, name="decide"),
    path("festival/<slug:slug>/summary/", views.summary, name="summary"),
    path("festival/<slug:slug>/summary.csv", views.summary_download, name="summary-csv"),
]
