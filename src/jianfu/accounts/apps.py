from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jianfu.accounts"
    verbose_name = "账户"
