from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import path


def home(request):
    return HttpResponse("Jianfu")


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("", home, name="home"),
]
