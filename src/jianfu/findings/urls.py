from django.urls import path

from jianfu.findings import views

app_name = "findings"
urlpatterns = [
    path("findings/", views.finding_list, name="list"),
    path("findings/export.xlsx", views.finding_export, name="export"),
    path("findings/<str:fid>/", views.finding_detail, name="detail"),
    path("findings/<str:fid>/decide/", views.finding_decide, name="decide"),
]
