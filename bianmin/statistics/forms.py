"""The dashboard's filters: a period (or a quick pick), a site and tier, a department, an item, a channel, and
the trend's grouping. The same query string drives the dashboard, the drill-down and the Excel exports."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Channel

from .figures import _month, _next_month
from .models import Tier
from .selectors import FigureFilters, FiguresScope, scoped_departments, scoped_items, scoped_sites

QUICK_PICKS = [
    ("last_30_days", _("Last 30 days")),
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_year", _("This year")),
]
GROUPS = [("week", _("By week")), ("month", _("By month"))]
# Longest period the page accepts: a few years keeps the weekly trend's daily scan bounded.
MAX_PERIOD_DAYS = 366 * 3


# The period a page opens with: the last 30 days (today included) always hold a month of figures and a trend of five
# weeks, where "this month" held two days on the 2nd (one point in the trend).
DEFAULT_PICK = "last_30_days"


def quick_period(pick: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    if pick == "last_30_days":
        return today - datetime.timedelta(days=29), today
    if pick == "last_month":
        first = _month(_month(today) - datetime.timedelta(days=1))
        return first, _next_month(first) - datetime.timedelta(days=1)
    if pick == "this_year":
        return today.replace(month=1, day=1), today
    return _month(today), today


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class FigureFilterForm(forms.Form):
    quick = forms.ChoiceField(label=_("Period"), choices=[("", "—"), *QUICK_PICKS], required=False)
    site = forms.ModelChoiceField(label=_("Site (and the sites under it)"), queryset=None, required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("All tiers")), *Tier.choices], required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)
    item = ItemChoiceField(label=_("Item"), queryset=None, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False)
    group = forms.ChoiceField(label=_("Trend"), choices=GROUPS, required=False)

    def __init__(self, data=None, *, scope: FiguresScope, today: datetime.date):
        super().__init__(data)
        self.today = today
        self.fields["site"].queryset = scoped_sites(scope)
        self.fields["site"].empty_label = _("All sites")
        self.fields["department"].queryset = scoped_departments(scope)
        self.fields["department"].empty_label = _("All departments")
        self.fields["item"].queryset = (
            scoped_items(scope).select_related("current_version").only("code", "department_id", "current_version__name")
        )
        self.fields["item"].empty_label = _("All items")
        start, end = quick_period(DEFAULT_PICK, today)
        # "from" and "to" are the URL's words; they are Python keywords, so the fields are added here.
        for name, label, initial in (("from", _("From"), start), ("to", _("To"), end)):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                initial=initial,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        self.order_fields(["quick", "from", "to", "site", "tier", "department", "item", "channel", "group"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end of the period is before its start."))
        elif start and end and (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("to", _("Choose a period of at most three years."))
        return cleaned

    def _data(self) -> dict:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}

    def filters(self) -> FigureFilters:
        """The chosen filters; the last 30 days and no dimension where nothing valid was given."""
        data = self._data()
        if data.get("quick"):
            start, end = quick_period(data["quick"], self.today)
        else:
            start = data.get("from") or self.fields["from"].initial
            end = data.get("to") or self.fields["to"].initial
        return FigureFilters(
            start=start,
            end=end,
            site=data.get("site"),
            tier=data.get("tier") or "",
            department_id=data["department"].pk if data.get("department") else None,
            item_id=data["item"].pk if data.get("item") else None,
            channel=data.get("channel") or "",
        )

    def trend_group(self) -> str:
        """The trend's grouping: as chosen, else by week for periods up to three months, by month beyond."""
        chosen = self._data().get("group")
        if chosen:
            return chosen
        filters = self.filters()
        return "week" if (filters.end - filters.start).days <= 92 else "month"

    def quick_pick_shown(self) -> str:
        """The quick period the page shows (marked in its chips), or "" for a period of one's own."""
        filters = self.filters()
        for pick, _label in QUICK_PICKS:
            if quick_period(pick, self.today) == (filters.start, filters.end):
                return pick
        return ""

    def show_what_is_drawn(self) -> None:
        """Makes the controls say what the page shows: the period's dates (also after a quick pick) and the trend's
        grouping (also when it was chosen for the length of the period), never a default the figures do not use."""
        filters = self.filters()
        shown = {"from": filters.start.isoformat(), "to": filters.end.isoformat(), "group": self.trend_group()}
        if not self.is_bound:
            self.initial.update(shown)
        elif self.is_valid():  # an invalid form shows what was typed, with its errors
            self.data = self.data.copy()
            for name, value in shown.items():
                self.data[name] = value
