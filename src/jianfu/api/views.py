"""/account/tokens/: an officer's own API tokens — list, create (shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianfu.api.models import ApiToken
from jianfu.api.tokens import do_create_token, do_revoke_token, live_tokens

LABEL_CHARS = 100


@login_required
def token_list(request):
    created = None
    if request.method == "POST":
        token, created = do_create_token(
            request.user, acting_user=request.user, label=request.POST.get("label", "").strip()[:LABEL_CHARS]
        )
    # The new token is part of this response only: it is never stored, so a reload cannot show it again.
    return render(request, "api/tokens.html", {"tokens": live_tokens(request.user)[:100], "created": created})


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        token = ApiToken.objects.select_related("user__unit").get(pk=token_id, user=request.user)
    except ApiToken.DoesNotExist:
        raise Http404 from None  # another officer's token does not exist for this one
    if do_revoke_token(token, acting_user=request.user):
        messages.success(request, _("令牌已撤销"))
    return redirect("api-tokens")
