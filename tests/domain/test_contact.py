import pytest

from bot.domain.contact import display_phone, parse_email, parse_moments, parse_name, parse_phone

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text, expected",
    [
        ("514-555-0199", "+15145550199"),
        ("(438) 555-0123", "+14385550123"),
        ("mon numéro c'est le 418 555 0147 merci", "+14185550147"),
        ("15145550123", "+15145550123"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+212 6 12 34 56 78", "+212612345678"),
        ("+216 20 123 456", "+21620123456"),
        ("+225 07 07 12 34 56", "+2250707123456"),
        ("+237 6 71 23 45 67", "+237671234567"),
        ("+243 81 234 5678", "+243812345678"),
        ("+509 34 12 3456", "+50934123456"),
    ],
)
def test_canadian_and_international_numbers_are_read(text, expected):
    assert parse_phone(text) == expected


@pytest.mark.parametrize("text", ["12345", "514 555 01", "06 12 34 56 78", "+1 800 123 4567", "", "appelez-moi"])
def test_what_is_not_a_valid_number_is_refused(text):
    # A French mobile without +33 would be a wrong Canadian number: asked again, not guessed.
    assert parse_phone(text) is None


def test_a_number_is_shown_the_way_people_write_it():
    assert display_phone("+15145550199") == "+1 514-555-0199"
    assert display_phone("+33612345678") == "+33 6 12 34 56 78"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("awa.diop@gmail.com", "awa.diop@gmail.com"),
        ("mon courriel : J.Tremblay@Videotron.CA.", "J.Tremblay@videotron.ca"),
        ("Koffi_K@yahoo.fr svp", "Koffi_K@yahoo.fr"),
    ],
)
def test_an_email_is_found_and_normalized(text, expected):
    assert parse_email(text) == expected


@pytest.mark.parametrize("text", ["awa@", "awa@gmail", "awa.gmail.com", "awa@@gmail.com", ""])
def test_a_malformed_email_is_refused(text):
    assert parse_email(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("je m'appelle Aminata Traoré", "Aminata Traoré"),
        ("Moi c'est Koffi", "Koffi"),
        ("C'est Fatima Zahra El Idrissi", "Fatima Zahra El Idrissi"),
        ("Jean-Philippe Tremblay.", "Jean-Philippe Tremblay"),
        ("Nguyễn Thị Lan", "Nguyễn Thị Lan"),
    ],
)
def test_a_name_is_taken_without_the_phrase_around_it(text, expected):
    assert parse_name(text) == expected


@pytest.mark.parametrize("text", ["", "a", "123", "awa@gmail.com", "<script>", "x" * 101])
def test_what_cannot_be_a_name_is_refused(text):
    assert parse_name(text) is None


def test_moments_keep_the_person_s_words_and_need_some():
    assert parse_moments("  en semaine   après 17 h ") == "en semaine après 17 h"
    assert parse_moments("17") is None


@pytest.mark.parametrize(
    "text",
    [
        "Awa Diop, awa@gmail.com, 514 555 0199",
        "je m appelle Awa Diop et mon courriel est awa@gmail.com",
        "Awa Diop - +33 6 12 34 56 78",
    ],
)
def test_a_name_given_with_other_details_is_the_name_alone(text):
    assert parse_name(text) == "Awa Diop"


def test_the_method_is_asked_only_with_a_choice_and_again_when_either_detail_changes():
    from bot.domain.contact import ContactField as F
    from bot.domain.contact import contact_fields_to_ask_again, contact_questions

    assert contact_questions(email_given=True, phone_given=True) == [F.NAME, F.EMAIL, F.PHONE, F.METHOD, F.MOMENTS]
    assert contact_questions(email_given=True, phone_given=False) == [F.NAME, F.EMAIL, F.PHONE, F.MOMENTS]
    assert contact_fields_to_ask_again(F.PHONE) == (F.PHONE, F.METHOD)
    assert contact_fields_to_ask_again(F.NAME) == (F.NAME,)
