"""What the forms of the staff pages share: the widgets, and the base of every action on a case."""

from __future__ import annotations

from django import forms

from ..models import Case

SHORT_TEXT = forms.TextInput(attrs={"autocomplete": "off"})


def _textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class CaseActionForm(forms.Form):
    """Every action form knows its case; the view posts it to /workbench/cases/<pk>/<action>/."""

    def __init__(self, *args, case: Case, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
