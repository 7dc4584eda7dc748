"""The accountability pages' shared form handling: a refused service call rolls back and shows its
reason, a successful one is committed and confirmed, both redirect back."""

from __future__ import annotations

import datetime as dt

from flask import get_flashed_messages

from core.auth.models import User
from core.extensions import db
from core.tenancy.scope import system_scope
from plugins.accountability import forms
from plugins.accountability.bulletins.service import Refused


def test_form_date():
    assert forms.form_date("2023-08-25") == dt.date(2023, 8, 25)
    assert forms.form_date("") is None and forms.form_date(None) is None
    assert forms.form_date("2023年8月25日") is None


def test_run_commits_or_rolls_back_and_says_why(app, world):
    def rename(to: str, refuse: bool):
        def action():
            db.session.scalar(db.select(User).where(User.username == "office_a")).display_name = to
            if refuse:
                raise Refused("display_name", "不允许改名")

        return action

    def name() -> str:
        db.session.expire_all()
        return db.session.scalar(db.select(User.display_name).where(User.username == "office_a"))

    with system_scope():
        before = name()
        with app.test_request_context("/accountability/referrals", method="POST"):
            r = forms.run("/accountability/referrals", rename("改名甲", refuse=True), "已改名")
            assert r.status_code == 302 and r.location == "/accountability/referrals"
            assert get_flashed_messages(with_categories=True) == [("error", "不允许改名")]
        assert name() == before
        with app.test_request_context("/accountability/referrals", method="POST"):
            forms.run("/accountability/referrals", rename("改名乙", refuse=False), "已改名")
            assert get_flashed_messages(with_categories=True) == [("success", "已改名")]
        assert name() == "改名乙"
