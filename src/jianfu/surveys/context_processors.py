def navigation(request):
    """Navigation entries of this app: the cadre's own page (linked logins) and surveys (offices)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from jianfu.surveys.actions import can_manage
    from jianfu.surveys.models import CadreLogin

    return {"nav_person_linked": CadreLogin.objects.filter(user=user).exists(), "nav_can_survey": can_manage(user)}
