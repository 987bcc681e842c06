from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jianfu.reports"
    label = "reports"
    verbose_name = "减负实效"
