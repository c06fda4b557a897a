"""Money amounts: finding, normalising and converting (issue 5, part 3)."""

from __future__ import annotations

from datetime import date

import pytest

from aidtrace.extract.money import convert, find_money, parse_number

B, M = 1e9, 1e6
ON = date(2025, 7, 1)

# (sentence, amount, currency, approximate, amount_max, text)
CASES = [
    # dollars
    ("The Pentagon announced a $1.85 billion package.", 1.85 * B, "USD", False, None, "$1.85 billion"),
    ("Washington pledged USD 85 billion in total.", 85 * B, "USD", False, None, "USD 85 billion"),
    ("It approved US$2bn for air defence.", 2 * B, "USD", False, None, "US$2bn"),
    ("A further $325 million was announced.", 325 * M, "USD", False, None, "$325 million"),
    ("The sale is worth $2.5m.", 2.5 * M, "USD", False, None, "$2.5m"),
    ("The contract is worth $300,000.", 300_000.0, "USD", False, None, "$300,000"),
    ("The fund holds $1,250,000,000 now.", 1.25 * B, "USD", False, None, "$1,250,000,000"),
    ("Congress passed $61 billion for Ukraine.", 61 * B, "USD", False, None, "$61 billion"),
    ("a $400m drone deal", 400 * M, "USD", False, None, "$400m"),
    ("It costs 2.5 million dollars.", 2.5 * M, "USD", False, None, "2.5 million dollars"),
    ("The bill provides 95 billion US dollars.", 95 * B, "USD", False, None, "95 billion US dollars"),
    ("a US $500 million loan", 500 * M, "USD", False, None, "US $500 million"),
    ("a $50K grant", 50_000.0, "USD", False, None, "$50K"),
    ("aid worth $1.2 trillion", 1.2e12, "USD", False, None, "$1.2 trillion"),
    ("two billion dollars in loans", 2 * B, "USD", False, None, "two billion dollars"),
    ("a $6-billion package", 6 * B, "USD", False, None, "$6-billion"),
    # euros
    ("European countries gave 72 billion euros in total.", 72 * B, "EUR", False, None, "72 billion euros"),
    ("Germany pledged €500m for IRIS-T.", 500 * M, "EUR", False, None, "€500m"),
    ("The EU agreed €1.5 billion from frozen assets.", 1.5 * B, "EUR", False, None, "€1.5 billion"),
    ("The fund has EUR 300 million.", 300 * M, "EUR", False, None, "EUR 300 million"),
    ("It received 5 billion euro.", 5 * B, "EUR", False, None, "5 billion euro"),
    ("Berlin set aside €7bn for 2025.", 7 * B, "EUR", False, None, "€7bn"),
    ("a €50 billion facility", 50 * B, "EUR", False, None, "€50 billion"),
    ("The Netherlands gave €2 bn more.", 2 * B, "EUR", False, None, "€2 bn"),
    ("Denmark paid 1.3 bln euros.", 1.3 * B, "EUR", False, None, "1.3 bln euros"),
    ("a 20-billion-euro plan", 20 * B, "EUR", False, None, "20-billion-euro"),
    # pounds
    ("Britain committed £1bn to drones.", 1 * B, "GBP", False, None, "£1bn"),
    ("London pledged £2.26 billion from Russian assets.", 2.26 * B, "GBP", False, None, "£2.26 billion"),
    ("The UK spent 3 billion pounds a year.", 3 * B, "GBP", False, None, "3 billion pounds"),
    ("a GBP 150 million contract", 150 * M, "GBP", False, None, "GBP 150 million"),
    # hryvnias and roubles
    ("Kyiv allocated 1.5 bln hryvnias for drones.", 1.5 * B, "UAH", False, None, "1.5 bln hryvnias"),
    ("The budget adds UAH 2 billion.", 2 * B, "UAH", False, None, "UAH 2 billion"),
    ("Parliament approved 412 billion hryvnia.", 412 * B, "UAH", False, None, "412 billion hryvnia"),
    ("The Kremlin spent 10 billion roubles.", 10 * B, "RUB", False, None, "10 billion roubles"),
    ("Moscow set aside 5 trillion rubles.", 5e12, "RUB", False, None, "5 trillion rubles"),
    # other currencies
    ("Sweden gave SEK 7.1 billion.", 7.1 * B, "SEK", False, None, "SEK 7.1 billion"),
    ("Norway pledged NOK 10 billion.", 10 * B, "NOK", False, None, "NOK 10 billion"),
    ("Denmark added DKK 8.5 billion.", 8.5 * B, "DKK", False, None, "DKK 8.5 billion"),
    ("Norway will spend 135 billion kroner.", 135 * B, "NOK", False, None, "135 billion kroner"),
    ("Denmark's 3 billion kroner fund", 3 * B, "DKK", False, None, "3 billion kroner"),
    ("Sweden gave 3 billion kr.", 3 * B, "SEK", False, None, "3 billion kr"),
    ("Poland spent 4 billion zlotys.", 4 * B, "PLN", False, None, "4 billion zlotys"),
    ("a PLN 1.2 billion order", 1.2 * B, "PLN", False, None, "PLN 1.2 billion"),
    ("Japan offered 500 billion yen.", 500 * B, "JPY", False, None, "500 billion yen"),
    ("Tokyo pledged ¥470bn.", 470 * B, "JPY", False, None, "¥470bn"),
    ("Canada gave 500 million Canadian dollars.", 500 * M, "CAD", False, None, "500 million Canadian dollars"),
    ("Ottawa pledged C$500 million.", 500 * M, "CAD", False, None, "C$500 million"),
    ("a CAD 20 million donation", 20 * M, "CAD", False, None, "CAD 20 million"),
    ("Australia gave A$100m.", 100 * M, "AUD", False, None, "A$100m"),
    ("Switzerland gave 5 billion Swiss francs.", 5 * B, "CHF", False, None, "5 billion Swiss francs"),
    ("Bern allotted CHF 1.5 billion.", 1.5 * B, "CHF", False, None, "CHF 1.5 billion"),
    # vague amounts
    ("It cost hundreds of millions of dollars.", 100 * M, "USD", True, None, "hundreds of millions of dollars"),
    ("tens of billions of euros", 10 * B, "EUR", True, None, "tens of billions of euros"),
    ("billions of dollars in weapons", 1 * B, "USD", True, None, "billions of dollars"),
    ("millions of pounds", 1 * M, "GBP", True, None, "millions of pounds"),
    # qualifiers
    ("more than $1 billion", 1 * B, "USD", True, None, "more than $1 billion"),
    ("over €2bn in aid", 2 * B, "EUR", True, None, "over €2bn"),
    ("nearly $3 billion", 3 * B, "USD", True, None, "nearly $3 billion"),
    ("almost 5 billion euros", 5 * B, "EUR", True, None, "almost 5 billion euros"),
    ("about $500 million", 500 * M, "USD", True, None, "about $500 million"),
    ("around £300m", 300 * M, "GBP", True, None, "around £300m"),
    ("roughly $40bn", 40 * B, "USD", True, None, "roughly $40bn"),
    ("some $175 billion", 175 * B, "USD", True, None, "some $175 billion"),
    ("up to €5 billion", 5 * B, "EUR", True, None, "up to €5 billion"),
    ("at least $100 million", 100 * M, "USD", True, None, "at least $100 million"),
    # ranges
    ("a package of $1-2 billion", 1 * B, "USD", True, 2 * B, "$1-2 billion"),
    ("between €2bn and €3bn", 2 * B, "EUR", True, 3 * B, "between €2bn and €3bn"),
    ("from $1 billion to $2 billion", 1 * B, "USD", True, 2 * B, "from $1 billion to $2 billion"),
    ("$1bn-$1.5bn a year", 1 * B, "USD", True, 1.5 * B, "$1bn-$1.5bn"),
    ("2 to 3 billion euros", 2 * B, "EUR", True, 3 * B, "2 to 3 billion euros"),
    ("between €2 and €3 billion", 2 * B, "EUR", True, 3 * B, "between €2 and €3 billion"),
    ("a €2bn-3bn programme", 2 * B, "EUR", True, 3 * B, "€2bn-3bn"),
    ("$500 million to $1 billion", 500 * M, "USD", True, 1 * B, "$500 million to $1 billion"),
    ("worth 500m to 1bn euros", 500 * M, "EUR", True, 1 * B, "500m to 1bn euros"),
]


@pytest.mark.parametrize(("sentence", "amount", "currency", "approximate", "amount_max", "text"), CASES,
                         ids=[c[5] for c in CASES])
def test_money_expression(sentence, amount, currency, approximate, amount_max, text):
    found = find_money(sentence, ON)
    assert len(found) == 1, found
    money = found[0]
    assert money.amount == pytest.approx(amount)
    assert (money.currency, money.approximate, money.text) == (currency, approximate, text)
    assert money.amount_max == (pytest.approx(amount_max) if amount_max else None)
    assert sentence[money.start:money.end] == money.text


def test_table_is_big_enough():
    assert len(CASES) >= 60


@pytest.mark.parametrize("sentence", [
    "The invasion began in 2022.",
    "Aid rose 15% in 2024, or 15 percent.",
    "Ukraine needs 155mm shells and two Patriot batteries.",
    "It fired 2,000 rounds of 120mm ammunition.",
    "Germany sent 500-pound bombs and 2,000 pounds of explosives.",
    "The dollar fell against the euro.",
    "It weighs a pound.",
    "F-16s and M777 howitzers arrived.",
])
def test_not_money(sentence):
    assert find_money(sentence, ON) == []


def test_parenthetical_equivalent_is_the_same_value():
    s = ("European countries surpassed the US in total military aid, totalling 72 billion euros "
         "(USD 85 billion) compared with 65 billion euros (USD 77 billion) from the US.")
    found = find_money(s, ON)
    assert [(m.amount, m.currency) for m in found] == [(72 * B, "EUR"), (65 * B, "EUR")]
    assert [(e.amount, e.currency, e.text) for e in found[0].equivalents] == [(85 * B, "USD", "USD 85 billion")]
    assert found[0].eur == 72 * B and found[0].usd == 85 * B  # the stated figure, not a conversion
    assert "as stated" in found[0].note


def test_parenthetical_pounds_to_dollars():
    found = find_money("Britain pledged £1bn ($1.3bn) for drones.", ON)
    assert len(found) == 1
    assert found[0].usd == 1.3 * B and found[0].equivalents[0].currency == "USD"


def test_or_equivalent():
    found = find_money("Kyiv spent 40 billion hryvnias, or about $1 billion, on drones.", ON)
    assert len(found) == 1
    assert found[0].currency == "UAH" and found[0].usd == 1 * B
    assert found[0].eur is not None  # from the stated dollars, since the ECB has no UAH rate


def test_two_separate_amounts_stay_two():
    found = find_money("Germany gave €500m and France gave €300m.", ON)
    assert [m.amount for m in found] == [500 * M, 300 * M]


def test_same_currency_in_brackets_is_not_an_equivalent():
    found = find_money("The US gave $2bn ($1bn of it in loans).", ON)
    assert [m.amount for m in found] == [2 * B, 1 * B]


# --------------------------------------------------------------------------- conversion


def test_eur_to_usd_at_a_known_date():
    eur, usd, note = convert(1_000_000.0, "EUR", date(2024, 1, 15))
    assert eur == 1_000_000.0
    assert 1_050_000 < usd < 1_150_000  # EUR/USD was about 1.09 in mid-January 2024
    assert "2024-01-15" in note


def test_usd_to_eur_at_invasion_date():
    eur, usd, _ = convert(100.0, "USD", date(2022, 2, 24))
    assert usd == 100.0 and 85 < eur < 93  # EUR/USD about 1.12


def test_gbp_converts_both_ways():
    eur, usd, _ = convert(1 * B, "GBP", date(2023, 6, 1))
    assert 1.1 * B < eur < 1.2 * B and 1.2 * B < usd < 1.3 * B


def test_weekend_date_falls_back_to_nearest_rate():
    eur, usd, _ = convert(100.0, "EUR", date(2024, 1, 13))  # a Saturday
    assert usd is not None and 105 < usd < 115


def test_uah_has_no_ecb_rate():
    eur, usd, note = convert(1 * B, "UAH", ON)
    assert (eur, usd) == (None, None)
    assert note == "no ECB rate for UAH"


def test_rub_after_ecb_stopped_quoting_it():
    eur, usd, note = convert(1 * B, "RUB", date(2025, 1, 1))
    assert (eur, usd) == (None, None) and "RUB" in note


def test_rub_before_2022_converts():
    eur, usd, _ = convert(1 * B, "RUB", date(2021, 6, 1))
    assert eur is not None and 10 * M < eur < 12 * M


def test_no_date_uses_latest_rate():
    eur, usd, note = convert(100.0, "USD", None)
    assert eur is not None and "no event date" in note


def test_find_money_converts_at_the_date():
    money = find_money("a $1 billion package", date(2024, 1, 15))[0]
    assert 0.88 * B < money.eur < 0.95 * B and money.usd == 1 * B


def test_uah_money_keeps_reason():
    money = find_money("1.5 bln hryvnias", ON)[0]
    assert money.eur is None and money.usd is None and "UAH" in money.note


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("words", "value"), [
    ("1,250", 1250.0), ("3.5", 3.5), ("3½", 3.5), ("3 1/2", 3.5), ("twenty-five", 25.0),
    ("two and a half", 2.5), ("a", 1.0), ("forty", 40.0), ("nonsense", None),
])
def test_parse_number(words, value):
    assert parse_number(words) == value
