from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "jianfu.surveys"
    verbose_name = "调研与个人负担"
