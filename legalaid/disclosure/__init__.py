"""Disclosure control: the one gate every number bound for the task force or a manager's
report passes through (``policies/disclosure.toml``).

- :mod:`legalaid.disclosure.policy`: the policy file, validated at start-up;
- :mod:`legalaid.disclosure.suppression`: primary and complementary suppression over a set
  of linked tables (margins, quarters and year, clinics and nation, earlier versions);
- :mod:`legalaid.disclosure.audit`: the exact audit (linear programming) that a release
  must pass.
"""
