from django.urls import path

from jianfu.surveys import views

app_name = "surveys"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("surveys/", views.survey_list, name="list"),
    path("surveys/<str:code>/", views.survey_detail, name="detail"),
    path("surveys/<str:code>/issue/", views.survey_issue, name="issue"),
    path("surveys/<str:code>/close/", views.survey_close, name="close"),
    path("surveys/<str:code>/calibrate/", views.survey_calibrate, name="calibrate"),
    path("s/<str:token>/", views.answer, name="answer"),
]
