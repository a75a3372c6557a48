"""DOMAIN §2: personal data on public pages and handed-out paper keeps the surname, ID 6 + 4 and phone 3 + 4."""

import pytest

from bianmin.core.masking import mask_address, mask_applicant, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张**"),
        ("张三丰", "张**"),
        ("王", "王**"),
        ("欧阳修", "欧阳**"),
        ("诸葛孔明", "诸葛**"),
        ("欧阳", "欧**"),  # a two-character name that only looks like a compound surname
        ("  李四 ", "李**"),
        ("John Smith", "J**"),
        ("", ""),
    ],
)
def test_mask_name_keeps_the_surname_only(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("420222199001011234", "420222********1234"),
        ("42022219900101123X", "420222********123X"),
        ("420222900101123", "420222*****1123"),  # the old 15-digit card
        ("91420222MA4F12345X", "914202********345X"),  # a unified social credit code
        ("E12345678", "E1*****78"),  # a passport: a quarter at each end
        ("4202 2219 9001 0112 34", "420222********1234"),
        ("", ""),
    ],
)
def test_mask_id_number_keeps_the_first_six_and_last_four(number, masked):
    assert mask_id_number(number) == masked


def test_a_masked_id_number_keeps_its_length():
    assert len(mask_id_number("420222199001011234")) == 18


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("0714-7321234", "071****1234"),
        ("7321234", "*****34"),
        ("12", "*2"),
        ("", ""),
    ],
)
def test_mask_phone_keeps_three_and_four(phone, masked):
    assert mask_phone(phone) == masked


def test_masked_numbers_show_no_digit_of_the_middle():
    assert set(mask_id_number("420222199001011234")[6:-4]) == {"*"}
    assert set(mask_phone("13812345678")[3:-4]) == {"*"}


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("阳新县白沙镇白沙村三组", "阳新县白沙镇白沙村"),
        ("阳新县白沙镇白沙村村委会旁", "阳新县白沙镇白沙村"),
        ("阳新县兴国镇城东社区光明路8号", "阳新县兴国镇城东社区"),
        ("阳新县兴国镇城东居委会3栋", "阳新县兴国镇城东居委会"),
        ("阳新县兴国镇城东路8号", "阳新县兴国镇"),
        ("阳新县富池乡江边12号", "阳新县富池乡"),
        ("黄石市下陆区团城山街道杭州路1号", "黄石市下陆区团城山街道"),
        ("阳新县光明路8号", "阳新县"),
        ("光明路8号", ""),
        (" 阳新县 白沙镇 白沙村 三组 ", "阳新县白沙镇白沙村"),
        ("", ""),
    ],
)
def test_mask_address_keeps_the_village_or_the_town(address, masked):
    assert mask_address(address) == masked


def test_an_enterprise_is_named_in_full_and_a_person_masked():
    assert mask_applicant("阳新县白沙农业发展有限公司", "credit_code") == "阳新县白沙农业发展有限公司"
    assert mask_applicant("张三丰", "resident_id") == "张**"
    assert mask_applicant("John Smith", "passport") == "J**"
