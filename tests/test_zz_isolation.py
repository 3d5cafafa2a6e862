"""Runs last: every test before it rolled back what it wrote to the shared database."""

from sqlalchemy import text

from legalaid.database import make_engine


def test_shared_database_is_left_empty(shared_database_url):
    e = make_engine(shared_database_url)
    with e.connect() as c:
        n = c.execute(text("select count(*) from user_account")).scalar()
        a = c.execute(text("select count(*) from audit_entry")).scalar()
    e.dispose()
    assert (n, a) == (0, 0)
