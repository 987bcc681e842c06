from django.apps import AppConfig


class ElementsConfig(AppConfig):
    name = "jianfu.elements"
    label = "elements"
    default_auto_field = "django.db.models.BigAutoField"
