from django.urls import include, path

from jianfu.accounts import views as account_views
from jianfu.cases import urls as cases_urls
from jianfu.registry import dashboard

handler500 = "jianfu.middleware.server_error"  # a locked SQLite database answers 503 "busy, retry", not 500

urlpatterns = [
    # First: every API request is resolved here without trying the web pages' patterns (all under other prefixes).
    path("", include("jianfu.api.urls")),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("login/otp/", account_views.login_otp, name="login_otp"),
    path("account/two-factor/", account_views.two_factor_settings, name="two_factor"),
    path("two-factor/policy/<str:code>/", account_views.two_factor_policy, name="two_factor_policy"),
    path("users/", account_views.user_list, name="users"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", dashboard.home, name="home"),
    path("", include("jianfu.jobs.urls")),
    path("", include("jianfu.registry.urls")),
    path("", include("jianfu.findings.urls")),
    path("", include("jianfu.filings.urls")),
    path("", include("jianfu.inbox.urls")),
    path("", include("jianfu.cases.urls")),
    path("", include(cases_urls.notice_patterns)),
    path("", include("jianfu.elements.urls")),
    path("", include("jianfu.surveys.urls")),
    path("", include("jianfu.clues.urls")),
    path("", include("jianfu.reports.urls")),
]
