from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "jianfu.findings"
    verbose_name = "问题清单"
