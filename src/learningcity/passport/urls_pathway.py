"""Pages of the passport: pathway (included by passport/urls.py under the "passport" namespace)."""

from django.urls import path

from learningcity.passport import views_pathway

urlpatterns = [
    path("pathways/", views_pathway.pathway_list, name="pathways"),
    path("pathways/manage/", views_pathway.pathway_manage, name="pathway-manage"),
    path("pathways/new/", views_pathway.pathway_add, name="pathway-add"),
    path("pathways/<uuid:value>/", views_pathway.pathway_detail, name="pathway"),
    path("pathways/<uuid:value>/edit/", views_pathway.pathway_edit, name="pathway-edit"),
    path("pathways/<uuid:value>/steps/", views_pathway.pathway_step_add, name="pathway-step-add"),
    path("pathways/<uuid:value>/steps/<int:step>/", views_pathway.pathway_step, name="pathway-step"),
    path("pathways/<uuid:value>/publication/", views_pathway.pathway_publish, name="pathway-publish"),
]
