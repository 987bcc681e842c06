from jianfu.accounts import scope


def permissions(request):
    """What the navigation may offer this user; the views check again on every request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_can_import": scope.can_import(user), "nav_can_manage_users": scope.can_manage_users(user)}
