"""Web forms: field validation only; the passport rules are in services."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_PASSPORT_BYTES = 1024 * 1024


class PassportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Battery passport (JSON file)"),
        required=False,
        help_text=_("A Battery Pass JSON export, for example this platform's passport download."),
    )
    text = forms.CharField(
        label=_("…or paste the JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload is None and not text:
            raise forms.ValidationError(_("Choose a JSON file or paste the passport."))
        if upload is not None:
            if upload.size > MAX_PASSPORT_BYTES:
                raise forms.ValidationError(_("A passport file is at most 1 MB."))
            raw = upload.read()
        else:
            raw = text.encode()
        try:
            cleaned["passport"] = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file must be UTF-8 text.")) from None
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s (line %(line)d).")
                % {"error": error.msg, "line": error.lineno}
            ) from None
        return cleaned
