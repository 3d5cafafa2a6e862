"""Synthetic names of people, places and organisations for demo data.

Nobody here is real: first names and surnames are common ones, combined at random.
People are written the way intake staff really type them: Azerbaijani Latin
(Məmmədova), Cyrillic (Мамедова) or a passport transliteration (Mammadova), so the
conflict check's cross-script name keys get exercised by the demo.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


# Faster than Random.choice / Random.randint (one random() each): millions are drawn for
# the bulk data sets. Still one generator, so a seed replays everything.
def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


def randint(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


# (Azerbaijani Latin or English transliteration, Cyrillic) of one name.
Spelling = tuple[str, str]

WOMEN_AZ: tuple[Spelling, ...] = (
    ("Aysel", "Айсель"),
    ("Günay", "Гюнай"),
    ("Leyla", "Лейла"),
    ("Nigar", "Нигяр"),
    ("Səbinə", "Сабина"),
    ("Aynur", "Айнур"),
    ("Könül", "Кёнуль"),
    ("Nərmin", "Нармин"),
    ("Fidan", "Фидан"),
    ("Lalə", "Лала"),
    ("Şəbnəm", "Шабнам"),
    ("Gülnar", "Гюльнар"),
    ("Türkan", "Туркан"),
    ("Xədicə", "Хадиджа"),
    ("Zəhra", "Захра"),
    ("Aytən", "Айтан"),
    ("Sevinc", "Севиндж"),
    ("Vüsalə", "Вюсала"),
    ("Elnarə", "Эльнара"),
    ("Samirə", "Самира"),
    ("Arzu", "Арзу"),
    ("Ülviyyə", "Ульвия"),
    ("Gülşən", "Гюльшан"),
    ("Mehriban", "Мехрибан"),
    ("Rəna", "Рена"),
    ("Nurlana", "Нурлана"),
    ("Ləman", "Ламан"),
    ("Kəmalə", "Камала"),
    ("Zərifə", "Зарифа"),
    ("Sevda", "Севда"),
    ("Aygün", "Айгюн"),
    ("Günel", "Гюнель"),
    ("Tamilla", "Тамилла"),
    ("Fatimə", "Фатима"),
)
WOMEN_RU: tuple[Spelling, ...] = (
    ("Svetlana", "Светлана"),
    ("Natalya", "Наталья"),
    ("Olga", "Ольга"),
    ("Yelena", "Елена"),
    ("Tatyana", "Татьяна"),
    ("Irina", "Ирина"),
    ("Anna", "Анна"),
    ("Marina", "Марина"),
    ("Yuliya", "Юлия"),
    ("Oksana", "Оксана"),
    ("Lyudmila", "Людмила"),
)
MEN_AZ: tuple[Spelling, ...] = (
    ("Elçin", "Эльчин"),
    ("Rəşad", "Рашад"),
    ("Orxan", "Орхан"),
    ("Tural", "Турал"),
    ("Vüqar", "Вугар"),
    ("Elnur", "Эльнур"),
    ("Kamran", "Камран"),
    ("Fərid", "Фарид"),
    ("Rauf", "Рауф"),
    ("Anar", "Анар"),
    ("Nicat", "Ниджат"),
    ("Ramin", "Рамин"),
    ("Səməd", "Самед"),
    ("Cavid", "Джавид"),
    ("İlqar", "Ильгар"),
    ("Emin", "Эмин"),
    ("Elvin", "Эльвин"),
    ("Zaur", "Заур"),
    ("Mübariz", "Мубариз"),
    ("Namiq", "Намик"),
    ("Rövşən", "Ровшан"),
    ("Şahin", "Шахин"),
    ("Vüsal", "Вюсал"),
    ("Azər", "Азер"),
)
MEN_RU: tuple[Spelling, ...] = (
    ("Sergey", "Сергей"),
    ("Aleksey", "Алексей"),
    ("Dmitriy", "Дмитрий"),
    ("Andrey", "Андрей"),
    ("Igor", "Игорь"),
    ("Vladimir", "Владимир"),
    ("Oleg", "Олег"),
)
# Masculine forms; the feminine adds -a / -а (Məmmədova, Əliyeva, Алиева, Оруджева).
SURNAMES_AZ: tuple[Spelling, ...] = (
    ("Məmmədov", "Мамедов"),
    ("Əliyev", "Алиев"),
    ("Həsənov", "Гасанов"),
    ("Hüseynov", "Гусейнов"),
    ("Quliyev", "Кулиев"),
    ("İsmayılov", "Исмаилов"),
    ("Abbasov", "Аббасов"),
    ("Rzayev", "Рзаев"),
    ("Cəfərov", "Джафаров"),
    ("Nəsirov", "Насиров"),
    ("Bağırov", "Багиров"),
    ("Kazımov", "Кязимов"),
    ("Orucov", "Оруджев"),
    ("Vəliyev", "Велиев"),
    ("Süleymanov", "Сулейманов"),
    ("Səfərov", "Сафаров"),
    ("Novruzov", "Новрузов"),
    ("Əhmədov", "Ахмедов"),
    ("İbrahimov", "Ибрагимов"),
    ("Qasımov", "Касумов"),
    ("Mustafayev", "Мустафаев"),
    ("Rəhimov", "Рагимов"),
    ("Zeynalov", "Зейналов"),
    ("Babayev", "Бабаев"),
    ("Hacıyev", "Гаджиев"),
    ("Kərimov", "Керимов"),
    ("Şükürov", "Шукюров"),
    ("Məlikov", "Меликов"),
    ("Paşayev", "Пашаев"),
)
# Surnames that are the same for women and men.
SURNAMES_AZ_INVARIANT: tuple[Spelling, ...] = (
    ("Əlizadə", "Ализаде"),
    ("Məmmədli", "Мамедли"),
    ("Hüseynli", "Гусейнли"),
    ("Quluzadə", "Кулизаде"),
)
SURNAMES_RU: tuple[Spelling, ...] = (
    ("Ivanov", "Иванов"),
    ("Petrov", "Петров"),
    ("Smirnov", "Смирнов"),
    ("Kuznetsov", "Кузнецов"),
    ("Popov", "Попов"),
    ("Sokolov", "Соколов"),
    ("Morozov", "Морозов"),
    ("Volkov", "Волков"),
    ("Lebedev", "Лебедев"),
)

# Azerbaijani Latin to the passport transliteration (Məmmədova -> Mammadova).
_PASSPORT = str.maketrans(
    {
        "ə": "a",
        "Ə": "A",
        "ş": "sh",
        "Ş": "Sh",
        "ç": "ch",
        "Ç": "Ch",
        "ğ": "gh",
        "ı": "i",
        "İ": "I",
        "ö": "o",
        "Ö": "O",
        "ü": "u",
        "Ü": "U",
        "x": "kh",
        "X": "Kh",
        "c": "j",
        "C": "J",
        "q": "g",
        "Q": "G",
    }
)


def passport(latin: str) -> str:
    return latin.translate(_PASSPORT)


def _surname(spelling: Spelling, feminine: bool, invariant: bool) -> Spelling:
    if feminine and not invariant:
        return spelling[0] + "a", spelling[1] + "а"
    return spelling


@dataclass(frozen=True)
class Person:
    """One synthetic person, who can be written in any of the three ways."""

    first: Spelling
    surname: Spelling
    father: Spelling | None
    woman: bool

    def written(self, script: str, *, surname_first: bool = False) -> str:
        """``script``: "latin", "cyrillic" or "passport"."""
        pick = 1 if script == "cyrillic" else 0

        def spell(pair: Spelling) -> str:
            return passport(pair[pick]) if script == "passport" else pair[pick]

        words = [spell(self.first)]
        if self.father is not None:
            # Azerbaijani patronymic: "Elçin qızı" (daughter of Elçin), "Elçin oğlu" (son).
            marker = (
                ("кызы" if self.woman else "оглы") if pick else ("qızı" if self.woman else "oğlu")
            )
            words += [spell(self.father), passport(marker) if script == "passport" else marker]
        surname = spell(self.surname)
        return " ".join([surname, *words] if surname_first else [*words, surname])


def draw_person(rng: random.Random, *, woman: bool) -> Person:
    russian = rng.random() < 0.12
    firsts = (WOMEN_RU if woman else MEN_RU) if russian else (WOMEN_AZ if woman else MEN_AZ)
    if russian:
        surname = _surname(pick(rng, SURNAMES_RU), woman, invariant=False)
    elif rng.random() < 0.1:
        surname = pick(rng, SURNAMES_AZ_INVARIANT)
    else:
        surname = _surname(pick(rng, SURNAMES_AZ), woman, invariant=False)
    father = pick(rng, MEN_AZ) if not russian and rng.random() < 0.2 else None
    return Person(pick(rng, firsts), surname, father, woman)


def draw_script(rng: random.Random) -> str:
    roll = rng.random()
    return "latin" if roll < 0.6 else "cyrillic" if roll < 0.88 else "passport"


def write_person(rng: random.Random, person: Person) -> str:
    return person.written(draw_script(rng), surname_first=rng.random() < 0.4)


def maiden_name(rng: random.Random) -> str:
    """Another surname a woman was known by (goes to other_names)."""
    other = _surname(pick(rng, SURNAMES_AZ), feminine=True, invariant=False)
    return other[1] if rng.random() < 0.3 else other[0]


# Respondents that are organisations, not people.
INSTITUTIONS = (
    "Polyclinic No. {n}",
    "City Hospital No. {n}",
    "District Police Department No. {n}",
    "Social Protection Centre No. {n}",
    "Secondary School No. {n}",
    "Housing Maintenance Office No. {n}",
    "Drug Treatment Dispensary No. {n}",
)

# Where hearings and interviews take place, per economic region of the clinic.
PLACES = {
    "baku": (
        "Nasimi District Court",
        "Yasamal District Court",
        "Sabail District Court",
        "Baku Court of Appeal",
        "Narimanov District Police Department",
    ),
    "ganja_dashkasan": ("Ganja City Court", "Ganja Court of Appeal", "Kapaz Police Department"),
    "lankaran_astara": ("Lankaran District Court", "Astara District Court", "Lankaran Police"),
    "shaki_zagatala": ("Shaki District Court", "Zagatala District Court", "Shaki Police"),
}

STREETS = (
    "28 May",
    "Nizami",
    "Füzuli",
    "Azadlıq prospekti",
    "Səməd Vurğun",
    "Cəfər Cabbarlı",
    "Atatürk prospekti",
    "Heydər Əliyev prospekti",
    "Xətai",
    "Bülbül",
)

# The referral directory: synthetic organisations (name, service type, region, contact).
PROVIDERS = (
    ("Sığınacaq Women's Shelter", "shelter", "baku", "+994 12 555 10 01"),
    ("Ganja Crisis Centre for Women", "shelter", "ganja_dashkasan", "+994 22 555 10 02"),
    ("Lankaran Safe House", "shelter", "lankaran_astara", "+994 25 555 10 03"),
    ("Ümid Psychosocial Support Centre", "psychosocial", "baku", "+994 12 555 20 01"),
    ("Dayaq Counselling Service", "psychosocial", "ganja_dashkasan", "+994 22 555 20 02"),
    ("Shaki Family Support Centre", "psychosocial", "shaki_zagatala", "+994 24 555 20 03"),
    ("Baku City HIV Clinic", "health", "baku", "+994 12 555 30 01"),
    ("Ganja Regional HIV Centre", "health", "ganja_dashkasan", "+994 22 555 30 02"),
    ("Southern Mobile Health Clinic", "health", "lankaran_astara", "+994 25 555 30 03"),
    ("Shaki Regional Health Centre", "health", "shaki_zagatala", "+994 24 555 30 04"),
    ("Körpü Harm Reduction Network", "harm_reduction", "baku", "+994 12 555 40 01"),
    ("Yol Harm Reduction Point", "harm_reduction", "ganja_dashkasan", "+994 22 555 40 02"),
    ("Nasimi Social Services Centre", "social_services", "baku", "+994 12 555 50 01"),
    ("Shaki Social Services Office", "social_services", "shaki_zagatala", "+994 24 555 50 02"),
    ("Baku Pro Bono Lawyers Group", "legal_provider", "baku", "+994 12 555 60 01"),
    ("Bacarıq Vocational Training Centre", "livelihood", "baku", "+994 12 555 70 01"),
    ("Ganja Women's Employment Programme", "livelihood", "ganja_dashkasan", "+994 22 555 70 02"),
    ("Baku Police Domestic Violence Unit", "police", "baku", "+994 12 555 80 01"),
)
