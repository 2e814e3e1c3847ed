"""The second factor's forms: a code (the app's or a recovery code), and the password that
confirms a renewal of the recovery codes."""

from __future__ import annotations

from django import forms

from mfa.services import RECOVERY_CODE, TOTP, code_method, normalise_code


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, recovery_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.recovery_allowed = recovery_allowed
        if recovery_allowed:
            self.fields[
                "code"
            ].help_text = (
                "The 6-digit code the authenticator app shows now, or one of your recovery codes."
            )
        else:
            self.fields["code"].help_text = "The 6-digit code the authenticator app shows now."

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        method = code_method(code)
        if method == TOTP or (method == RECOVERY_CODE and self.recovery_allowed):
            return code
        if self.recovery_allowed:
            raise forms.ValidationError(
                "Enter the 6-digit code from the authenticator app, or one 8-character "
                "recovery code.",
                code="malformed",
            )
        raise forms.ValidationError(
            "Enter the 6 digits the authenticator app shows.", code="malformed"
        )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password
