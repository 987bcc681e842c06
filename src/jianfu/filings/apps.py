from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "jianfu.filings"
    verbose_name = "备案审批"
