from django.urls import path, re_path

from jianfu.api import views
from jianfu.api.errors import error_response
from jianfu.api.main import api


def _no_such_endpoint(request, rest: str = ""):
    return error_response("not_found")


urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", _no_such_endpoint),
    path("account/tokens/", views.token_list, name="api-tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="api-token-revoke"),
]
