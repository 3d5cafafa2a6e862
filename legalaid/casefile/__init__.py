"""The case file on the web: the case page, the case, client, casework, referral and conflict
views and forms, and the lists. The domain packages (`cases`, `clients`, `conflicts`,
`casework`, `referrals`) hold models, scoping and services and import nothing from here."""
