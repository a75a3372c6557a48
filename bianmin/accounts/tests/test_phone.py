"""Proving a mobile number by SMS code: the code goes out through the outbox, is kept hashed, expires,
allows 5 tries, cannot be re-sent within a minute, and a right code makes the session hold the phone."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache

from bianmin.accounts.phone import (
    PhoneCodeError,
    phone_code_check,
    phone_code_request,
    phone_normalise,
    phone_verify,
    session_verified_phone,
)
from bianmin.core.models import OutboundMessage
from bianmin.core.testing import phone_code_sent

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 5, 12, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("raw", ["13800000000", "138 0000 0000", "+86 138-0000-0000", "008613800000000"])
def test_a_mainland_mobile_is_normalised(raw):
    assert phone_normalise(raw) == "13800000000"


@pytest.mark.parametrize("raw", ["", "12800000000", "1380000000", "0714-7321234", "abc"])
def test_anything_else_is_refused(raw):
    with pytest.raises(PhoneCodeError) as error:
        phone_normalise(raw)
    assert error.value.code == "phone_invalid"


def test_the_code_goes_out_as_an_sms_and_is_stored_only_as_a_hash():
    phone_code_request(phone="13800000000", purpose="apply")

    message = OutboundMessage.objects.get(event="phone_code")
    code = phone_code_sent("13800000000")
    assert message.channel == "sms"
    assert message.recipient == "13800000000"
    stored = cache.get("phone-code:apply:13800000000")
    assert code not in repr(stored)
    assert set(stored) == {"digest", "salt"}


def test_the_right_code_marks_the_session_for_two_hours():
    session = SessionStore()
    with time_machine.travel(START, tick=False) as clock:
        phone_code_request(phone="13800000000", purpose="apply")
        assert (
            phone_verify(session, phone="138 0000 0000", code=phone_code_sent("13800000000"), purpose="apply")
            == "13800000000"
        )
        assert session_verified_phone(session) == "13800000000"

        clock.shift(datetime.timedelta(hours=2, seconds=-1))
        assert session_verified_phone(session) == "13800000000"
        clock.shift(datetime.timedelta(seconds=1))
        assert session_verified_phone(session) is None


def test_a_code_is_used_once():
    phone_code_request(phone="13800000000", purpose="apply")
    code = phone_code_sent("13800000000")
    phone_code_check(phone="13800000000", code=code, purpose="apply")

    with pytest.raises(PhoneCodeError) as error:
        phone_code_check(phone="13800000000", code=code, purpose="apply")
    assert error.value.code == "phone_code_expired"


def test_a_code_is_only_good_for_its_purpose():
    phone_code_request(phone="13800000000", purpose="track:1")

    with pytest.raises(PhoneCodeError):
        phone_code_check(phone="13800000000", code=phone_code_sent("13800000000"), purpose="apply")


def test_the_code_expires_after_ten_minutes():
    with time_machine.travel(START, tick=False) as clock:
        phone_code_request(phone="13800000000", purpose="apply")
        clock.shift(datetime.timedelta(minutes=10, seconds=1))
        session = SessionStore()
        with pytest.raises(PhoneCodeError) as error:
            phone_verify(session, phone="13800000000", code=phone_code_sent("13800000000"), purpose="apply")

    assert error.value.code == "phone_code_expired"
    assert session_verified_phone(session) is None


def test_five_wrong_tries_end_the_code():
    phone_code_request(phone="13800000000", purpose="apply")
    code = phone_code_sent("13800000000")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    codes = []
    for _attempt in range(5):
        with pytest.raises(PhoneCodeError) as error:
            phone_code_check(phone="13800000000", code=wrong, purpose="apply")
        codes.append(error.value.code)

    assert codes == ["phone_code_wrong"] * 4 + ["phone_code_attempts"]
    with pytest.raises(PhoneCodeError) as error:
        phone_code_check(phone="13800000000", code=code, purpose="apply")
    assert error.value.code == "phone_code_expired"


def test_the_fifth_try_may_still_be_right():
    phone_code_request(phone="13800000000", purpose="apply")
    code = phone_code_sent("13800000000")
    for _attempt in range(4):
        with pytest.raises(PhoneCodeError):
            phone_code_check(phone="13800000000", code="000000" if code != "000000" else "111111", purpose="apply")

    assert phone_code_check(phone="13800000000", code=code, purpose="apply") == "13800000000"


def test_a_new_code_waits_a_minute_and_replaces_the_old_one():
    with time_machine.travel(START, tick=False) as clock:
        phone_code_request(phone="13800000000", purpose="apply")
        first = phone_code_sent("13800000000")
        clock.shift(datetime.timedelta(seconds=30))
        with pytest.raises(PhoneCodeError) as error:
            phone_code_request(phone="13800000000", purpose="apply")
        assert error.value.code == "phone_resend_too_soon"
        assert OutboundMessage.objects.filter(event="phone_code").count() == 1

        clock.shift(datetime.timedelta(seconds=31))
        phone_code_request(phone="13800000000", purpose="apply")
        second = phone_code_sent("13800000000")

        assert OutboundMessage.objects.filter(event="phone_code").count() == 2
        if first != second:  # one chance in a million that the two codes are equal
            with pytest.raises(PhoneCodeError):
                phone_code_check(phone="13800000000", code=first, purpose="apply")
        assert phone_code_check(phone="13800000000", code=second, purpose="apply") == "13800000000"
