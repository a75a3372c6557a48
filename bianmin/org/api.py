"""The caller's organisation over the API: the sites in their scope and their own roles (for a system token, also
the system, the token's scopes and its expiry)."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from bianmin.core.api_contract import BoundedPagination, Id, responses

from .models import Role
from .selectors import assignments_of, sites_visible_to, user_scope

router = Router(tags=["org"])


class SiteOut(Schema):
    id: int
    code: str
    name: str
    level: str
    kind: str
    parent_id: int | None
    address: str
    opening_hours: str
    phone: str


class AssignmentOut(Schema):
    role: str
    role_label: str
    site_id: int | None
    site_name: str | None
    department_id: int | None
    department_name: str | None


class CallerSystemOut(Schema):
    """The outside system a token call acts for, and the token itself (never its secret)."""

    code: str
    name: str
    token_name: str
    token_prefix: str
    scopes: list[str]
    expires_at: datetime.datetime
    rate_limit_per_minute: int


class MeOut(Schema):
    username: str
    full_name: str
    assignments: list[AssignmentOut]
    can_write: bool
    system: CallerSystemOut | None = Field(None, description="For a system token's call: the system and the token.")


@router.get("/sites", response=responses(list[SiteOut]), summary="Sites in the caller's scope")
@paginate(BoundedPagination)
def list_sites(request):
    return sites_visible_to(request.user).order_by("path", "pk")


@router.get(
    "/sites/{site_id}", response=responses(SiteOut, not_found=True), summary="One site, if it is in the caller's scope"
)
def get_site(request, site_id: Id):
    return get_object_or_404(sites_visible_to(request.user), pk=site_id)


@router.get("/me", response=responses(MeOut, has_input=False), summary="The caller and their roles")
def me(request):
    assignments = [
        AssignmentOut(
            role=a.role,
            role_label=str(Role(a.role).label),
            site_id=a.site_id,
            site_name=a.site.name if a.site else None,
            department_id=a.department_id,
            department_name=a.department.name if a.department else None,
        )
        for a in assignments_of(request.user)
    ]
    user = request.user
    token = getattr(request, "system_token", None)
    system = None
    if token is not None:
        system = CallerSystemOut(
            code=token.system.code,
            name=token.system.name,
            token_name=token.name,
            token_prefix=token.prefix,
            scopes=token.scopes,
            expires_at=token.expires_at,
            rate_limit_per_minute=token.rate_limit_per_minute,
        )
    return MeOut(
        username=user.username,
        full_name=user.get_full_name(),
        assignments=assignments,
        can_write=user_scope(user).can_write,
        system=system,
    )
