"""The caller's organisation over the API: the sites in their scope and their own roles."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
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


class MeOut(Schema):
    username: str
    full_name: str
    assignments: list[AssignmentOut]
    can_write: bool


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
    return MeOut(
        username=user.username,
        full_name=user.get_full_name(),
        assignments=assignments,
        can_write=user_scope(user).can_write,
    )
