"""One optimistic lock for every edit form: the version a form was built from, checked on save.

A model that is edited through forms carries a positive `version`. The form sends it back in a
hidden `VersionField`; `claim_version` takes the row's next version only if it still has that
one, inside the transaction that saves, so of two concurrent saves exactly one gets through and
the other gets `StaleVersion` (with the current version, to refresh the form and keep the input).
A write that comes from no form (archiving, a rebuild, a toggle) claims the version it read the row at.
"""

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

# The largest version a database integer column holds; a form sending more is refused, not crashed.
MAX_VERSION = 2**31 - 1


class StaleVersion(Exception):
    """Someone saved the object after the form was built from it."""

    def __init__(self, instance):
        saved = instance.pk is not None
        history = instance.history if saved and hasattr(instance, "history") else None
        latest = history.select_related("history_user").first() if history is not None else None
        who, when = "Someone else", ""
        if latest is not None:
            if latest.history_user is not None:
                who = latest.history_user.get_full_name() or latest.history_user.username
            when = f" at {timezone.localtime(latest.history_date):%H:%M}"
        self.current_version = (
            type(instance).objects.filter(pk=instance.pk).values_list("version", flat=True).first() if saved else None
        )
        super().__init__(
            f"{who} saved this {instance._meta.verbose_name}{when}; your changes were not saved. "
            "Review them and save again."
        )


def claim_version(instance, version):
    """Take the row's next version if it still has `version`; raise StaleVersion if someone saved it since.

    Call inside the transaction that then saves the object: the UPDATE ... WHERE version = N
    holds the row until commit, so of two concurrent saves exactly one gets through. An object not
    saved yet takes no claim: its form must have been built from no row at all (version 0 or empty);
    two concurrent first saves are told apart by the table's unique constraint (see `first_save`).
    """
    if instance.pk is None:
        if version:
            raise StaleVersion(instance)
        return
    claimed = type(instance).objects.filter(pk=instance.pk, version=version).update(version=F("version") + 1)
    if not claimed:
        raise StaleVersion(instance)
    instance.version = version + 1


def first_save(instance):
    """Save a new object that a concurrent first save may have beaten; StaleVersion if it was."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise StaleVersion(instance) from None


VERSION_MISSING = (
    "This page did not say which version of the record it edits (it may have been altered): "
    "reload the page and make your change again."
)


class VersionField(forms.IntegerField):
    """The hidden version of an edit form: a whole number from 1 to MAX_VERSION, ASCII digits only."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_VERSION)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not value.strip().isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class VersionedFormMixin:
    """For a form with a `version` field: after a refused save, keep the input but carry the current version.

    The field is hidden, so a version missing or altered in the page is said at the top of the form."""

    def full_clean(self):
        super().full_clean()
        if self.is_bound and "version" in self._errors:
            del self._errors["version"]
            self.add_error(None, VERSION_MISSING)

    def refresh_version(self, version):
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = version
