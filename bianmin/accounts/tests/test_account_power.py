"""Accounts cannot be taken over (issue "Safe to deploy"): nobody changes the account or the password of someone
more powerful, every change is audited without the password, and a reset password is temporary."""

import json

import pytest
from django.test import Client

from bianmin.accounts.models import User
from bianmin.core.errors import PermissionDenied
from bianmin.core.models import AuditEvent
from bianmin.core.testing import logged_in, role_holder, user
from bianmin.demo.county import DEMO_PASSWORD
from bianmin.org import services as org
from bianmin.org.models import Role, RoleAssignment, Site
from bianmin.org.selectors import accounts_administered_by

pytestmark = pytest.mark.usefixtures("county_organisation")
NEW_PASSWORD = "Yangxin-window-7731"


def second_centre_admin() -> User:
    other = role_holder("baisha_admin", Role.CENTRE_ADMIN, site="BS", full_name="白沙管理员", is_staff=True)
    return other


def test_a_centre_administrator_cannot_open_or_post_the_superusers_password_page():
    superuser = user("admin")
    client = logged_in("centre_admin")
    events_before = AuditEvent.objects.count()

    page = client.get(f"/admin/accounts/user/{superuser.pk}/password/")
    posted = client.post(
        f"/admin/accounts/user/{superuser.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert (page.status_code, posted.status_code) == (403, 403)
    after = user("admin")
    assert after.password == superuser.password
    assert after.check_password(DEMO_PASSWORD)
    assert after.must_change_password is False
    assert AuditEvent.objects.count() == events_before


def test_a_centre_administrator_cannot_edit_or_reset_another_centre_administrator():
    other = second_centre_admin()
    client = logged_in("centre_admin")
    events_before = AuditEvent.objects.count()

    posted = client.post(
        f"/admin/accounts/user/{other.pk}/change/",
        {"username": "baisha_admin", "full_name": "改名", "phone": "", "email": "", "is_active": "on"},
    )
    with pytest.raises(PermissionDenied) as reset:
        org.password_reset(actor=user("centre_admin"), user=other)
    other.full_name = "改名"
    with pytest.raises(PermissionDenied) as saved:
        org.user_save(user=other, actor=user("centre_admin"), changed_fields=["full_name"])

    assert posted.status_code == 403
    assert reset.value.message == saved.value.message == "只有超级用户可以修改中心管理员或监察员的账号。"
    assert User.objects.values_list("full_name", "password").get(pk=other.pk) == ("白沙管理员", "")
    assert AuditEvent.objects.count() == events_before


def test_a_centre_administrator_resets_a_clerks_password_in_their_subtree_and_the_event_holds_no_hash():
    clerk = user("baisha_clerk")
    client = logged_in("centre_admin")

    response = client.post(
        f"/admin/accounts/user/{clerk.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert "已为 baisha_clerk 设置临时密码。其下次登录时须自行设置新密码。" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)
    assert clerk.must_change_password is True
    event = AuditEvent.objects.get(action="user.password_reset")
    assert (event.actor, event.object_id) == (user("centre_admin"), str(clerk.pk))
    assert event.payload == {"username": "baisha_clerk", "password_changed": True, "temporary": True}
    assert clerk.password not in json.dumps(event.payload)
    assert NEW_PASSWORD not in json.dumps(event.payload)


def test_a_generated_temporary_password_is_shown_once_and_works():
    clerk = user("futu_clerk")
    client = logged_in("centre_admin")

    response = client.post(f"/admin/accounts/user/{clerk.pk}/password/", {"password1": "", "password2": ""})

    temporary = response.context["temporary_password"]
    assert len(temporary) == org.TEMPORARY_PASSWORD_LENGTH
    assert temporary in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(temporary) and clerk.must_change_password


def test_a_temporary_password_the_validators_reject_changes_nothing():
    clerk = user("baisha_clerk")
    client = logged_in("centre_admin")

    response = client.post(
        f"/admin/accounts/user/{clerk.pk}/password/", {"password1": "12345678", "password2": "12345678"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["password1"] == [
        "密码太短：至少需要 10 个字符。",
        "这个密码太常见了。",
        "密码只包含数字。",
    ]
    assert User.objects.get(pk=clerk.pk).password == clerk.password
    assert not AuditEvent.objects.filter(action="user.password_reset").exists()


def test_a_town_centre_administrator_manages_only_accounts_in_the_town():
    futu_admin = role_holder("futu_admin", Role.CENTRE_ADMIN, site="FT", is_staff=True)
    baisha_clerk = user("baisha_clerk")

    with pytest.raises(PermissionDenied) as refused:
        org.password_reset(actor=futu_admin, user=baisha_clerk, temporary_password=NEW_PASSWORD)
    org.password_reset(actor=futu_admin, user=user("futu_clerk"), temporary_password=NEW_PASSWORD)

    assert refused.value.message == "该账号在您管辖范围以外担任岗位。"
    assert User.objects.get(pk=baisha_clerk.pk).password == baisha_clerk.password
    assert user("futu_clerk").check_password(NEW_PASSWORD)
    assert list(AuditEvent.objects.filter(action="user.password_reset").values_list("object_id", flat=True)) == [
        str(user("futu_clerk").pk)
    ]


def test_a_centre_administrator_edits_a_clerk_but_not_the_superuser_and_the_event_names_the_fields():
    clerk = user("baisha_clerk")
    client = logged_in("centre_admin")
    fields = {"full_name": "黄丽娟", "phone": "13900000001", "email": "", "is_active": "on", "is_staff": "on"}

    refused = client.post(f"/admin/accounts/user/{user('admin').pk}/change/", {**fields, "username": "admin"})
    response = client.post(f"/admin/accounts/user/{clerk.pk}/change/", {**fields, "username": "baisha_clerk"})

    assert refused.status_code == 403
    assert user("admin").phone == ""
    assert response.status_code == 302
    assert user("baisha_clerk").phone == "13900000001"
    event = AuditEvent.objects.get(action="user.update")
    assert (event.actor, event.object_id) == (user("centre_admin"), str(clerk.pk))
    assert event.payload == {"username": "baisha_clerk", "changed": ["phone"], "password_changed": False}


def test_nobody_changes_their_own_access_flags_or_makes_a_superuser():
    centre_admin = user("centre_admin")
    clerk = user("county_clerk")
    events_before = AuditEvent.objects.count()

    centre_admin.is_staff = False
    with pytest.raises(PermissionDenied) as own:
        org.user_save(user=centre_admin, actor=centre_admin, changed_fields=["is_staff"])
    clerk.is_superuser = True
    with pytest.raises(PermissionDenied) as promoted:
        org.user_save(user=clerk, actor=user("centre_admin"), changed_fields=["is_superuser"])

    assert own.value.message == "任何人都不能修改自己的超级用户、工作人员或启用状态。"
    assert promoted.value.message == "只有超级用户可以设立或取消超级用户。"
    assert User.objects.filter(pk=centre_admin.pk, is_staff=True).exists()
    assert not User.objects.filter(pk=clerk.pk, is_superuser=True).exists()
    assert AuditEvent.objects.count() == events_before


def test_own_password_change_with_a_wrong_current_password_changes_nothing():
    clerk = user("baisha_clerk")
    client = logged_in("baisha_clerk")

    response = client.post(
        "/accounts/password/",
        {"current_password": "not-my-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["current_password"] == ["当前密码不正确，未作任何更改。"]
    assert "当前密码不正确，未作任何更改。" in response.content.decode()
    assert User.objects.get(pk=clerk.pk).password == clerk.password
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_own_password_page_stops_guessing_after_five_wrong_current_passwords():
    clerk = user("baisha_clerk")
    client = logged_in("baisha_clerk")
    wrong = {"current_password": "not-my-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    answers = [client.post("/accounts/password/", wrong).status_code for _attempt in range(5)]

    # The right password now changes nothing either: the page waits, whatever is typed.
    right = {**wrong, "current_password": DEMO_PASSWORD}
    response = client.post("/accounts/password/", right)

    assert answers == [400, 400, 400, 400, 400]
    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == ["当前密码错误次数过多，未作任何更改；请 15 分钟后再试。"]
    assert User.objects.get(pk=clerk.pk).password == clerk.password
    assert not AuditEvent.objects.filter(action="user.password_change").exists()
    # Another account is not held up by this one's guesses.
    assert logged_in("futu_clerk").post("/accounts/password/", right).status_code == 302


def test_own_password_change_keeps_the_session_and_is_audited():
    client = logged_in("baisha_clerk")

    response = client.post(
        "/accounts/password/",
        {"current_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response["Location"] == "/workbench/"
    assert user("baisha_clerk").check_password(NEW_PASSWORD)
    assert client.get("/workbench/").status_code == 200
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.actor == user("baisha_clerk")
    assert event.payload == {"username": "baisha_clerk", "password_changed": True, "temporary": False}


def test_the_staff_menu_links_the_password_page():
    page = logged_in("baisha_clerk").get("/workbench/").content.decode()

    assert '<a href="/accounts/password/">修改密码</a>' in page


def test_after_a_forced_reset_the_user_is_sent_to_the_password_page_until_they_change_it():
    temporary = org.password_reset(actor=user("centre_admin"), user=user("baisha_clerk"))
    client = Client()

    login = client.post("/accounts/login/", {"username": "baisha_clerk", "password": temporary})
    workbench = client.get("/workbench/")
    queue = client.get("/workbench/cases/")
    api = client.get("/api/v1/cases")
    password_page = client.get("/accounts/password/")
    changed = client.post(
        "/accounts/password/",
        {"current_password": temporary, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert (login.status_code, login["Location"]) == (302, "/workbench/")
    assert (workbench.status_code, workbench["Location"]) == (302, "/accounts/password/")
    assert (queue.status_code, queue["Location"]) == (302, "/accounts/password/")
    assert (api.status_code, api.json()["code"]) == (403, "password_change_required")
    assert "管理员已重置您的密码。请先设置您自己的新密码再继续。" in password_page.content.decode()
    assert changed.status_code == 302
    assert client.get("/workbench/").status_code == 200
    assert user("baisha_clerk").must_change_password is False


def test_an_administrator_is_sent_to_their_own_password_page_for_their_own_account():
    centre_admin = user("centre_admin")
    client = logged_in("centre_admin")
    events_before = AuditEvent.objects.count()

    response = client.post(
        f"/admin/accounts/user/{centre_admin.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    with pytest.raises(PermissionDenied):
        org.password_reset(actor=centre_admin, user=centre_admin, temporary_password=NEW_PASSWORD)

    assert (response.status_code, response["Location"]) == (302, "/accounts/password/")
    assert User.objects.get(pk=centre_admin.pk).password == centre_admin.password
    assert AuditEvent.objects.count() == events_before


def test_an_account_an_administrator_creates_starts_with_a_temporary_password():
    client = logged_in("centre_admin")

    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "new_clerk", "full_name": "新窗口", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    created = user("new_clerk")
    assert created.check_password(NEW_PASSWORD) and created.must_change_password
    event = AuditEvent.objects.get(action="user.create", object_id=str(created.pk))
    assert event.payload["password_changed"] is True
    assert created.password not in json.dumps(event.payload)


def test_the_admins_own_password_page_leads_to_the_audited_staff_page():
    centre_admin = user("centre_admin")
    client = logged_in("centre_admin")

    response = client.post(
        "/admin/password_change/",
        {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert (response.status_code, response["Location"]) == (302, "/accounts/password/")
    assert User.objects.get(pk=centre_admin.pk).password == centre_admin.password


def test_a_town_administrator_cannot_take_over_an_account_holding_no_role_that_they_did_not_create():
    """An applicant's online account (or an inspector's, or a former clerk's) is the county's administrators': a
    town's administrator who could reset its password, or give it a role first, could sign in as that person."""
    futu_admin = role_holder("futu_admin", Role.CENTRE_ADMIN, site="FT", is_staff=True)
    applicant = User.objects.create_user(username="zhang_san", password=NEW_PASSWORD, full_name="张三")
    events = AuditEvent.objects.count()
    futu = Site.objects.get(code="FT")

    refusals = []
    for attempt in (
        lambda: org.password_reset(actor=futu_admin, user=applicant, temporary_password="Another-window-8842"),
        lambda: org.role_assign(actor=futu_admin, user=applicant, role=Role.CLERK, site=futu),
        lambda: org.user_save(user=applicant, actor=futu_admin, changed_fields=["phone"]),
    ):
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        refusals.append(refused.value.message)

    assert refusals == ["未担任岗位的账号由县级中心管理员管理。"] * 3
    assert user("zhang_san").check_password(NEW_PASSWORD)
    assert not RoleAssignment.objects.filter(user=applicant).exists()
    assert AuditEvent.objects.count() == events
    assert applicant not in accounts_administered_by(futu_admin)
    assert logged_in("futu_admin").get(f"/admin/accounts/user/{applicant.pk}/change/").status_code == 302
    # The county's administrator manages it.
    org.password_reset(actor=user("centre_admin"), user=applicant, temporary_password="Another-window-8842")
    assert applicant in accounts_administered_by(user("centre_admin"))


def test_a_town_administrator_manages_the_account_they_created_until_and_after_its_first_role():
    futu_admin = role_holder("futu_admin", Role.CENTRE_ADMIN, site="FT", is_staff=True)
    newcomer = org.user_save(
        user=User(username="futu_new", full_name="新同事", is_staff=True), actor=futu_admin, changed_fields=[]
    )

    assert newcomer in accounts_administered_by(futu_admin)
    org.role_assign(actor=futu_admin, user=newcomer, role=Role.CLERK, site=Site.objects.get(code="FT"))
    org.password_reset(actor=futu_admin, user=newcomer, temporary_password=NEW_PASSWORD)

    assert user("futu_new").check_password(NEW_PASSWORD)
    assert list(RoleAssignment.objects.filter(user=newcomer).values_list("role", "site__code")) == [("clerk", "FT")]
    # Another town's administrator has no power over it, with or without the role.
    baisha_admin = second_centre_admin()
    assert newcomer not in accounts_administered_by(baisha_admin)
    with pytest.raises(PermissionDenied):
        org.password_reset(actor=baisha_admin, user=newcomer, temporary_password="Another-window-8842")
