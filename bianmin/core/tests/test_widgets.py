"""FastSelect writes exactly what Django's select templates write."""

from __future__ import annotations

from django import forms

from bianmin.core.widgets import FastSelect

CHOICES = [
    ("", "All items"),
    ("NY-0001", 'NY-0001 农机购置补贴 <申请> & "审核"'),
    (7, "七"),
]


def _pair(**field_options) -> tuple[forms.BoundField, forms.BoundField]:
    class Slow(forms.Form):
        item = forms.ChoiceField(required=False, **field_options)

    class Fast(forms.Form):
        item = forms.ChoiceField(required=False, widget=FastSelect, **field_options)

    return Slow, Fast


def test_the_same_markup_as_django_with_a_choice_selected_and_escaped_labels():
    slow, fast = _pair(choices=CHOICES)
    for data in (None, {"item": "NY-0001"}, {"item": "7"}, {"item": "<nonsense>"}):
        assert str(fast(data)["item"]) == str(slow(data)["item"])
    assert 'value="NY-0001" selected>NY-0001 农机购置补贴 &lt;申请&gt; &amp; &quot;审核&quot;</option>' in str(
        fast({"item": "NY-0001"})["item"]
    )


def test_the_same_markup_as_django_with_groups_attributes_and_no_choice():
    grouped = [("", "—"), ("县级", [("a", "A"), ("b", "B")]), ("镇级", [("c", "C")])]
    slow, fast = _pair(choices=grouped)
    assert str(fast({"item": "b"})["item"]) == str(slow({"item": "b"})["item"])
    assert '<optgroup label="县级">' in str(fast()["item"])

    class Slow(forms.Form):
        item = forms.ChoiceField(choices=[], widget=forms.Select(attrs={"data-x": "1 < 2", "disabled": True}))

    class Fast(forms.Form):
        item = forms.ChoiceField(choices=[], widget=FastSelect(attrs={"data-x": "1 < 2", "disabled": True}))

    expected = '<select name="item" data-x="1 &lt; 2" disabled id="id_item">\n</select>'
    assert str(Fast()["item"]) == str(Slow()["item"]) == expected
