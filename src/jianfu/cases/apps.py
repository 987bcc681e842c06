from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jianfu.cases"
    verbose_name = "督办案件"
