from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "jianfu.security"
    verbose_name = "安全"
