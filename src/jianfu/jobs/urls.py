from django.urls import path

from jianfu.jobs import views

urlpatterns = [
    path("import/", views.upload, name="import"),
    path("import/<uuid:code>/", views.job_detail, name="import-job"),
    path("import/<uuid:code>/status/", views.job_status, name="import-job-status"),
    path("import/<uuid:code>/rejections.xlsx", views.job_rejections, name="import-job-errors"),
]
