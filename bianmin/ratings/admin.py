"""Ratings in the admin are read-only: every change goes through the rating pages and the rectification's moves."""

from django.contrib import admin

from bianmin.cases.admin import ReadOnlyAdmin

from .models import Rating, Rectification
from .selectors import ratings_visible_to, rectifications_visible_to


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["case", "channel", "level", "is_default", "is_excluded", "site", "department", "rated_at"]
    list_filter = ["channel", "level", "is_default", "is_excluded"]
    search_fields = ["case__tracking_number"]
    list_select_related = ["case", "site", "department"]

    def scoped(self, queryset, user):
        # A town's centre administrator sees their town's ratings, as on the figures page.
        return queryset.filter(pk__in=ratings_visible_to(user).values("pk"))


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["case", "state", "department", "site", "handler", "due"]
    list_filter = ["state"]
    search_fields = ["case__tracking_number"]
    list_select_related = ["case", "department", "site", "handler"]

    def scoped(self, queryset, user):
        return queryset.filter(pk__in=rectifications_visible_to(user).values("pk"))
