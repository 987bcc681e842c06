from jianfu.accounts import scope


def permissions(request):
    """What the navigation may offer this user; the views check again on every request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from jianfu.inbox.models import Message

    # A bounded fetch on the (recipient, read_at) index, not a COUNT: every page renders the navigation.
    unread = len(Message.objects.filter(recipient=user, read_at__isnull=True).values_list("id", flat=True)[:100])
    from jianfu.clues.actions import may_handle

    return {
        "nav_can_import": scope.can_import(user),
        "nav_can_manage_users": scope.can_manage_users(user),
        "nav_unread": unread,
        "nav_can_handle_clues": may_handle(user),
    }
