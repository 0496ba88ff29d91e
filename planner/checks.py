from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def two_factor_sign_in(app_configs, **kwargs):
    """A production clinic should not run with two-factor sign-in turned off."""
    if settings.MFA_REQUIRED == "off" and not settings.DEBUG:
        return [
            Warning(
                "MFA_REQUIRED is off: nobody has to sign in with a second factor.",
                hint="Set MFA_REQUIRED=admins (the default with HTTPS=true) or MFA_REQUIRED=everyone.",
                id="planner.W001",
            )
        ]
    return []
