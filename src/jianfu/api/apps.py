from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jianfu.api"
    label = "api"
    verbose_name = "API"
