"""The Action Plan's indicators, counted from cases and training sessions.

- ``policies/indicators.toml`` is the catalogue (:mod:`legalaid.indicators.catalogue`):
  codes, titles in three languages, allowed disaggregations, targets, DHIS2 codes;
- :mod:`legalaid.indicators.measures` and :mod:`legalaid.indicators.measures_trainings`
  are the formulas, one SQL aggregate per measure;
- :mod:`legalaid.indicators.periods`: the fixed reporting periods;
- :mod:`legalaid.indicators.tables`: tables with their margins, ready for disclosure
  control (:mod:`legalaid.disclosure`), which every published number passes through.
"""
