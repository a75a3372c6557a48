"""The results board (办件结果公示) and its feeds: decisions with the masked applicant, newest first.

双公示 (DOMAIN §7): licensing decisions must be public within 7 working days of the decision; the board shows each
decision as soon as it is recorded (so well within the limit), except for the items whose results must not be
published (``ServiceItem.results_published``). Reads go through ``selectors.results_page``."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import ResultsFilterForm
from .selectors import board_items, board_sites, results_page

PAGE_SIZE = 20
FEED_SIZE = 50


def _filters(request) -> tuple[ResultsFilterForm, dict]:
    form = ResultsFilterForm(request.GET or None, sites=board_sites(), items=board_items())
    chosen = {"site_id": None, "item_id": None}
    if form.is_valid():
        site, item = form.cleaned_data.get("site"), form.cleaned_data.get("item")
        chosen = {"site_id": site.pk if site else None, "item_id": item.pk if item else None}
    return form, chosen


def results_board(request):
    """The public board: filters by receiving site and item, a page of results, a link to the next page."""
    form, chosen = _filters(request)
    results, next_cursor = results_page(**chosen, after=request.GET.get("after", ""), size=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("after", None)
    if next_cursor:
        query["after"] = next_cursor
    return TemplateResponse(
        request,
        "portal/results.html",
        {
            "form": form,
            "results": results,
            "next_url": f"?{query.urlencode()}" if next_cursor else None,
            "is_first_page": not request.GET.get("after"),
            "filter_query": request.GET.copy().urlencode() if request.GET else "",
        },
    )


class ResultsAtomFeed(Feed):
    """The board as an Atom feed, with the same filters (``?site=&item=``)."""

    feed_type = Atom1Feed
    title = gettext_lazy("Results of applications")
    subtitle = gettext_lazy("Decisions on applications, with the applicant's personal data masked.")

    def get_object(self, request):
        return _filters(request)[1]

    def link(self, obj):
        return reverse("portal:results")

    def items(self, obj):
        return results_page(**obj, size=FEED_SIZE)[0]

    def item_title(self, item):
        return f"{item.item_name}: {item.result}"

    def item_description(self, item):
        return _("%(site)s, decided on %(date)s, applicant %(applicant)s, tracking number %(number)s.") % {
            "site": item.site_name,
            "date": item.decided_on.isoformat(),
            "applicant": item.applicant,
            "number": item.tracking_number,
        }

    def item_link(self, item):
        return f"{reverse('portal:results')}#case-{item.case_id}"

    def item_guid(self, item):
        return f"{item.tracking_number}:{item.cursor}"

    def item_pubdate(self, item):
        return item.decided_at

    def item_updateddate(self, item):
        return item.decided_at


def results_json_feed(request):
    """The board as a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1), same filters as the page."""
    chosen = _filters(request)[1]
    results = results_page(**chosen, size=FEED_SIZE)[0]
    board = request.build_absolute_uri(reverse("portal:results"))
    return JsonResponse(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": _("Results of applications"),
            "home_page_url": board,
            "feed_url": request.build_absolute_uri(),
            "items": [
                {
                    "id": f"{result.tracking_number}:{result.cursor}",
                    "url": f"{board}#case-{result.case_id}",
                    "title": f"{result.item_name}: {result.result}",
                    "content_text": ResultsAtomFeed().item_description(result),
                    "date_published": result.decided_at.isoformat(),
                    "_bianmin": {
                        "tracking_number": result.tracking_number,
                        "item_code": result.item_code,
                        "item": result.item_name,
                        "site": result.site_name,
                        "decided_on": result.decided_on.isoformat(),
                        "approved": result.is_approved,
                        "applicant": result.applicant,
                    },
                }
                for result in results
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
