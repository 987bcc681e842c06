from django.urls import path

from jianfu.cases import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/export.xlsx", views.case_export, name="export"),
    path("cases/supervision/", views.supervision, name="supervision"),
    path("findings/<str:fid>/case/", views.case_new, name="new"),
    path("clues/<int:pk>/case/", views.case_new_from_clue, name="new_from_clue"),
    path("cases/<str:number>/", views.case_detail, name="detail"),
    path("cases/<str:number>/respond/", views.case_respond, name="respond"),
    path("cases/<str:number>/verify/", views.case_verify, name="verify"),
    path("cases/<str:number>/outcome/", views.case_outcome, name="outcome"),
    path("cases/<str:number>/evidence/<uuid:uid>/", views.case_evidence, name="evidence"),
]

notice_patterns = (
    [
        path("notices/", views.notice_list, name="list"),
        path("notices/new/", views.notice_new, name="new"),
        path("notices/template/", views.notice_template, name="template"),
        path("notices/<str:code>/", views.notice_detail, name="detail"),
        path("notices/<str:code>/publish/", views.notice_publish, name="publish"),
        path("notices/<str:code>.docx", views.notice_file, {"kind": "docx"}, name="docx"),
        path("notices/<str:code>.pdf", views.notice_file, {"kind": "pdf"}, name="pdf"),
    ],
    "notices",
)
