from django.apps import AppConfig


class CluesConfig(AppConfig):
    name = "jianfu.clues"
    label = "clues"
    verbose_name = "线索"
