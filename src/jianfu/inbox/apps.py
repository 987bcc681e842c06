from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "jianfu.inbox"
    verbose_name = "站内消息"
