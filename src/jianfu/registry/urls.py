from django.urls import path, register_converter

from jianfu.registry import views


class KindConverter:
    regex = "units|people|apps|accounts|groups|forms"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "kind")

app_name = "registry"
urlpatterns = [
    path("platforms/", views.platforms, name="platforms"),
    path("<kind:kind>/", views.object_list, name="list"),
    path("<kind:kind>/export/", views.object_export, name="export"),
    path("<kind:kind>/<str:code>/", views.object_detail, name="detail"),
    path("<kind:kind>/<str:code>/edit/", views.object_edit, name="edit"),
]
