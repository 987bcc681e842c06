from django.urls import path

from jianfu.filings import views

app_name = "filings"
urlpatterns = [
    path("filings/", views.index, name="index"),
    path("filings/new/<str:kind>/", views.new_proposal, name="new"),
    path("filings/export.xlsx", views.export, name="export"),
    path("filings/people/", views.people_search, name="people"),
    path("filings/precheck/<str:kind>/", views.draft_precheck, name="precheck"),
    path("filings/policy/", views.region_policy, name="policy"),
    path("filings/proposals/<str:code>/", views.proposal_detail, name="proposal"),
    path("filings/proposals/<str:code>/edit/", views.edit_proposal, name="edit"),
    path("filings/proposals/<str:code>/<str:action>/", views.proposal_act, name="act"),
    path("filings/records/<str:number>/", views.filing_detail, name="filing"),
    path("filings/records/<str:number>/renew/", views.filing_renew, name="renew"),
    path("filings/records/<str:number>/renewal/", views.renewal_decide, name="renewal"),
]
