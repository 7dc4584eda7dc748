"""A core service's refusal that no route catches still answers 422 with the reasons, never 500."""

from __future__ import annotations

import pytest

from core.rules.status import TransitionError
from core.rules.validation import Issue, Refused, ValidationFailed
from core.services.debts import PaymentRefused

CASES = [
    (PaymentRefused("paid_on", "付款日期不能晚于今天"), {"paid_on": ["付款日期不能晚于今天"]}),
    (TransitionError("状态不能从“已清偿”变为“已确认”"), {"status": ["状态不能从“已清偿”变为“已确认”"]}),
    (ValidationFailed([Issue("amount_owed", "欠款金额必须大于0")]), {"amount_owed": ["欠款金额必须大于0"]}),
    (Refused("该操作不能办理"), {"_schema": ["该操作不能办理"]}),
]


@pytest.mark.parametrize(("exc", "errors"), CASES)
def test_an_escaped_refusal_is_a_422_json_error_on_the_api(app, exc, errors):
    with app.test_request_context("/api/v1/debts/1/payments", method="POST"):
        response = app.make_response(app.handle_user_exception(exc))
    assert response.status_code == exc.status  # 422, or 409 for a state rule (a status transition)
    assert response.json["errors"] == errors and response.json["message"]


def test_an_escaped_refusal_is_a_422_page_in_the_browser(app):
    with app.test_request_context("/debts/1", method="POST"):
        response = app.make_response(
            app.handle_user_exception(PaymentRefused("paid_on", "付款日期不能晚于今天"))
        )
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "付款日期不能晚于今天" in response.get_data(as_text=True)


def test_refusals_are_value_errors_and_plugins_share_the_base():
    from plugins.complaints.handling.service import CaseRefused

    for exc, _ in CASES:
        assert isinstance(exc, ValueError)
    assert issubclass(CaseRefused, Refused)
    assert CaseRefused({"amount": ["金额过大"]}).field_errors() == {"amount": ["金额过大"]}
