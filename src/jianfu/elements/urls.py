from django.urls import path

from jianfu.elements import views

app_name = "elements"
urlpatterns = [
    path("elements/", views.element_list, name="list"),
    path("elements/propose/", views.element_propose, name="propose"),
    path("elements/issues/", views.issue_list, name="issues"),
    path("elements/issues/new/<str:code>/", views.issue_new, name="issue_new"),
    path("elements/issues/<str:number>/", views.issue_detail, name="issue"),
    path("elements/issues/<str:number>/results.xlsx", views.issue_results, name="issue_results"),
    path("elements/fill/<str:number>/", views.copy_fill, name="fill"),
    path("elements/forms/<str:code>/map/", views.form_map, name="form_map"),
    path("elements/<str:code>/", views.element_detail, name="detail"),
    path("elements/<str:code>/edit/", views.element_edit, name="edit"),
    path("elements/<str:code>/merge/", views.element_merge, name="merge"),
    path("elements/<str:code>/approve/", views.element_approve, name="approve"),
]
