from django.urls import path

from jianfu.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_page, name="page"),
    path("reports/download/<str:fmt>/", views.report_download, name="download"),
]
