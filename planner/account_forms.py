"""Staff accounts: roles, the account forms, passwords."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import Group

from clients.validators import refuse_hidden_characters
from protocols.versioning import VersionedFormMixin, VersionField

from .roles import CLINIC_ADMIN, THERAPIST, forget_roles, role_names

User = get_user_model()

ROLE_CHOICES = [
    ("therapist", THERAPIST),
    ("admin", CLINIC_ADMIN),
    ("both", f"{THERAPIST} and {CLINIC_ADMIN.lower()}"),
]
ROLE_GROUPS = {"therapist": [THERAPIST], "admin": [CLINIC_ADMIN], "both": [THERAPIST, CLINIC_ADMIN]}


def role_of(user):
    held = set(role_names(user))
    if {THERAPIST, CLINIC_ADMIN} <= held:
        return "both"
    if CLINIC_ADMIN in held:
        return "admin"
    return "therapist"


def set_role(user, role):
    """Replace the user's role groups with those of the chosen role, leaving other groups alone."""
    wanted = set(ROLE_GROUPS[role])
    for group in Group.objects.filter(name__in=[THERAPIST, CLINIC_ADMIN]):
        if group.name in wanted:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    forget_roles(user)


class StaffForm(VersionedFormMixin, forms.ModelForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="therapist")

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]
        labels = {"email": "E-mail"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["email"].required = True
        # Names show on every plan, record and log: "Tester" written backwards by an override is refused.
        refuse_hidden_characters(self, "first_name", "last_name")
        if self.instance.pk:
            self.fields["role"].initial = role_of(self.instance)
            self.fields["version"] = VersionField(initial=self.instance.staff_profile.version)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Another account already uses this e-mail address.")
        return email


class NewStaffForm(StaffForm):
    username = forms.CharField(
        max_length=150,
        help_text="Letters, digits and @ . + - _ only. Used to sign in; cannot be changed later.",
        validators=[User.username_validator],
    )
    temporary_password = forms.CharField(
        widget=forms.PasswordInput(render_value=True),
        help_text="Give this to the person; they must choose their own password when they first sign in.",
    )

    class Meta(StaffForm.Meta):
        fields = ["first_name", "last_name", "username", "email"]

    field_order = ["first_name", "last_name", "username", "email", "role", "temporary_password"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is already taken.")
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("temporary_password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("temporary_password", error)
        return cleaned


class OwnPasswordForm(PasswordChangeForm):
    """Changing one's password: the new one must differ from the old (a temporary one in particular)."""

    def __init__(self, *args, temporary=False, **kwargs):
        super().__init__(*args, **kwargs)
        # On the first sign-in, the password a clinic admin gave is the one to type first.
        self.fields["old_password"].label = "Temporary password" if temporary else "Current password"

    def validate_password_for_user(self, user, password_field_name="new_password2"):
        """The policy's reasons go beside "New password", where it was typed, not beside its confirmation."""
        super().validate_password_for_user(user, "new_password1")

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", "Choose a password different from the current one.")
        return cleaned


class TemporaryPasswordForm(forms.Form):
    temporary_password = forms.CharField(
        widget=forms.PasswordInput(render_value=True),
        help_text="The person must choose their own password when they next sign in.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_temporary_password(self):
        password = self.cleaned_data["temporary_password"]
        password_validation.validate_password(password, self.user)
        return password


# A series: the same session each week, on one to three days of the week, for at most this many weeks.
