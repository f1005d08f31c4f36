"""Forms of the pages outside the admin (accepting an invitation)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class NewAccountForm(forms.Form):
    """The account of someone who accepts an invitation and has none yet."""

    full_name = forms.CharField(label=_("full name"), max_length=150, required=False)
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned
