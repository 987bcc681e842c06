from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jianfu.registry"
    verbose_name = "台账"
