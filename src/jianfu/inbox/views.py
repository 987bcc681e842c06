"""The inbox page: a user's own notices only (there is no other user's inbox to reach)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jianfu.inbox.api import mark_read
from jianfu.inbox.models import Message


@login_required
def inbox(request):
    qs = Message.objects.filter(recipient=request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inbox/list.html",
        {
            "page": page,
            "unread": Message.objects.filter(recipient=request.user, read_at__isnull=True).count(),
            "only_unread": request.GET.get("unread") == "1",
        },
    )


@login_required
@require_POST
def open_message(request, uid):
    try:
        message = Message.objects.get(recipient=request.user, uid=uid)
    except Message.DoesNotExist:
        raise Http404 from None
    if message.read_at is None:
        mark_read(request.user, message.uid)
    if message.url and url_has_allowed_host_and_scheme(message.url, allowed_hosts=None):
        return redirect(message.url)
    return redirect("inbox:list")


@login_required
@require_POST
def read_all(request):
    mark_read(request.user)
    return redirect("inbox:list")
