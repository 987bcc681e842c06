from django.urls import path

from jianfu.inbox import views

app_name = "inbox"
urlpatterns = [
    path("inbox/", views.inbox, name="list"),
    path("inbox/read-all/", views.read_all, name="read_all"),
    path("inbox/<uuid:uid>/", views.open_message, name="open"),
]
