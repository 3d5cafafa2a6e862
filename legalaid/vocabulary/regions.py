"""Azerbaijan's 14 economic regions (2021 division)."""

from flask_babel import lazy_gettext as _l

from legalaid.vocabulary import Vocabulary

ECONOMIC_REGIONS = Vocabulary(
    "economic_region",
    (
        ("baku", _l("Baku")),
        ("absheron_khizi", _l("Absheron-Khizi")),
        ("mountainous_shirvan", _l("Mountainous Shirvan")),
        ("ganja_dashkasan", _l("Ganja-Dashkasan")),
        ("karabakh", _l("Karabakh")),
        ("gazakh_tovuz", _l("Gazakh-Tovuz")),
        ("guba_khachmaz", _l("Guba-Khachmaz")),
        ("lankaran_astara", _l("Lankaran-Astara")),
        ("central_aran", _l("Central Aran")),
        ("mil_mughan", _l("Mil-Mughan")),
        ("shaki_zagatala", _l("Shaki-Zagatala")),
        ("east_zangezur", _l("East Zangezur")),
        ("shirvan_salyan", _l("Shirvan-Salyan")),
        ("nakhchivan", _l("Nakhchivan")),
    ),
)
