from django.urls import path

from jianfu.clues import views

app_name = "clues"
urlpatterns = [
    path("clues/new/", views.clue_new, name="new"),
    path("clues/regions/", views.region_options, name="regions"),
    path("clues/carriers/", views.carrier_options, name="carriers"),
    path("clues/track/", views.clue_track, name="track"),
    path("clues/", views.clue_list, name="list"),
    path("clues/export.xlsx", views.clue_export, name="export"),
    path("clues/<int:pk>/", views.clue_detail, name="detail"),
    path("clues/<int:pk>/assign/", views.clue_assign, name="assign"),
    path("clues/<int:pk>/link/", views.clue_link, name="link"),
    path("clues/<int:pk>/merge/", views.clue_merge, name="merge"),
    path("clues/<int:pk>/reply/", views.clue_reply, name="reply"),
    path("clues/<int:pk>/close/", views.clue_close, name="close"),
    path("clues/<int:pk>/contact/", views.clue_reveal_contact, name="contact"),
    path("clues/<int:pk>/evidence/<int:evidence_id>/", views.clue_evidence, name="evidence"),
]
