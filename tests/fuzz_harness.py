"""Drive schemathesis over every operation of the app's OpenAPI document, in-process (no server).

``fuzz(app, headers, examples)`` generates ``examples`` positive and ``examples`` negative cases per operation
(whatever routes the spec has: core's and every enabled plugin's), sends each through Flask's WSGI app with
``headers`` (a bearer token) and runs all of schemathesis's checks on the answer. It returns the findings
grouped by check name, each with a few samples, instead of stopping at the first: one run shows every class.
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from core.rules import credit_code


def _credit_codes() -> st.SearchStrategy[str]:
    """The document's ``format: credit-code``: 18 characters of GB 32100 whose last is the check digit."""
    letters = st.sampled_from(credit_code.ALPHABET)
    return st.tuples(
        st.text(letters, min_size=2, max_size=2),
        st.text(st.sampled_from("0123456789"), min_size=6, max_size=6),
        st.text(letters, min_size=9, max_size=9),
    ).map(lambda parts: credit_code.make("".join(parts)))


# Taught once per process: a format the document names is generated as the rule it names.
schemathesis.openapi.format("credit-code", _credit_codes())


@dataclass
class FuzzReport:
    cases: int = 0
    findings: Counter = field(default_factory=Counter)
    samples: dict = field(default_factory=lambda: defaultdict(list))
    # check → operation → count: which operations a class of finding comes from.
    operations: dict = field(default_factory=lambda: defaultdict(Counter))

    def add(self, check: str, text: str, operation: str = "") -> None:
        self.findings[check] += 1
        self.operations[check][operation] += 1
        if len(self.samples[check]) < 8 and text not in self.samples[check]:
            self.samples[check].append(text)

    def describe(self) -> str:
        lines = [f"{self.cases} cases; findings: {dict(self.findings)}"]
        for check, texts in self.samples.items():
            lines.append(f"== {check}")
            lines.extend(f"  {n} × {op}" for op, n in self.operations[check].most_common())
            lines.extend("  " + t.replace("\n", "\n    ")[:1500] for t in texts)
        return "\n".join(lines)


def load_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


# Rules between two fields of one request, which JSON Schema cannot state (it cannot compare two values):
# operation → {field the 422 names: the rule}. A schema-valid request breaking one is rightly refused; the
# harness counts it as "CrossFieldRule", not as "valid request rejected". A 422 naming any other field is
# still a RejectedPositiveData finding.
CROSS_FIELD_RULES = {
    "GET /api/v1/debts": {"min_amount": "金额下限不能大于上限"},
    "POST /api/v1/debts": {
        "undisputed_amount": "无争议金额与有争议金额之和等于欠款金额",
        "migrant_wage_amount": "农民工工资金额不超过欠款金额",
    },
    "PATCH /api/v1/debts/{debt_id}": {
        "undisputed_amount": "无争议金额与有争议金额之和等于欠款金额",
        "migrant_wage_amount": "农民工工资金额不超过欠款金额",
    },
    "POST /api/v1/prevention/deposits": {"due_back_on": "退还日期不早于收取日期"},
    "POST /api/v1/ledger/rounds": {"deadline": "报送截止日期不早于所给的统计截止日期 as_of"},
    "POST /api/v1/accountability/bulletins": {"period_start": "统计起始日期不晚于所给的截止日期"},
}


def _cross_field(operation, response) -> bool:
    rules = CROSS_FIELD_RULES.get(operation.label)
    if not rules or response is None or response.status_code != 422:
        return False
    try:
        errors = response.json().get("errors") or {}
    except ValueError:
        return False
    return bool(errors) and set(errors) <= set(rules)


def _check_name(failure) -> str:
    # With TESTING on, Flask lets a view's exception through: that is a server error (a 500 in production).
    if not type(failure).__module__.startswith("schemathesis"):
        return f"ServerError({type(failure).__name__})"
    return type(failure).__name__


def fuzz(app, headers: dict, examples: int, *, seed: int | None = 0, only: str | None = None) -> FuzzReport:
    schema = load_schema(app)
    report = FuzzReport()
    for result in schema.get_all_operations():
        operation = result.ok()
        if only and only not in operation.label:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # An operation with nothing to make invalid (no parameters, no body) has no negative cases.
            with contextlib.suppress(hypothesis.errors.Unsatisfiable):
                _fuzz_operation(operation, mode, headers, examples, seed, report)
    return report


def _current_version(case, headers: dict) -> None:
    """A client following the documented protocol sends the ETag it just read as ``If-Match``: a positive case
    gets the resource's current one (a random string is schema-valid but stale, and rightly answers 412)."""
    from schemathesis import GenerationMode as Mode

    if case.meta is None or case.meta.generation.mode != Mode.POSITIVE:
        return
    if not case.headers or "If-Match" not in case.headers:
        return
    path = case.formatted_path
    # The resource itself, or for an action on it (POST /debts/7/payments) the resource it changes.
    for candidate in (path, path.rsplit("/", 1)[0]):
        answer = case.operation.app.test_client().get(candidate, headers=headers)
        etag = answer.headers.get("ETag")
        if answer.status_code == 200 and etag:
            case.headers["If-Match"] = etag
            return


def _workbook(*rows: list) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ledger_template(app, headers: dict) -> bytes:
    return app.test_client().get("/api/v1/ledger/template", headers=headers).data


# What an upload route's file must contain beyond its media type (a sheet's header row) is no schema's to say:
# a positive case sends a real file of the documented kind (an empty sheet with the headers the route reads).
SAMPLE_UPLOADS = {
    "/api/v1/ledger/imports": ("台账.xlsx", _ledger_template),
    "/api/v1/wages/projects/imports": (
        "项目.xlsx",
        lambda app, headers: _workbook(
            ["项目名称", "建设单位", "施工总承包单位", "统一社会信用代码", "人工费用比例", "工资保证金（元）"]
        ),
    ),
    "/api/v1/wages/cases/imports": (
        "欠薪案件.xlsx",
        lambda app, headers: _workbook(
            ["序号", "案件编号", "欠薪项目", "施工单位", "统一社会信用代码", "涉及人数", "欠薪金额"]
        ),
    ),
}


def _real_upload(case, headers: dict) -> dict:
    """``case.call`` keywords sending the generated form with a real file in place of the generated bytes."""
    import io

    from schemathesis import GenerationMode as Mode

    sample = SAMPLE_UPLOADS.get(case.operation.path)
    if sample is None or case.meta is None or case.meta.generation.mode != Mode.POSITIVE:
        return {}
    if not isinstance(case.body, dict) or "file" not in case.body:
        return {}
    filename, make = sample
    form = {k: v if isinstance(v, str) else str(v) for k, v in case.body.items() if k != "file"}
    case.body["file"] = make(case.operation.app, headers)  # what the report shows
    return {"data": {**form, "file": (io.BytesIO(case.body["file"]), filename)}}


def _fuzz_operation(operation, mode, headers: dict, examples: int, seed: int | None, report: FuzzReport):
    where = f"{operation.label} [{mode.value}]"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        report.cases += 1
        response = None
        try:
            _current_version(case, headers)
            response = case.call(headers=headers, **_real_upload(case, headers))
            case.validate_response(response, headers=headers)
        except (hypothesis.errors.HypothesisException, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # FailureGroup (a BaseExceptionGroup), or a transport error
            answer = ""
            if response is not None:
                answer = f" -> {response.status_code} {response.content[:300].decode('utf-8', 'replace')}"
            for failure in getattr(exc, "exceptions", None) or [exc]:
                name = _check_name(failure)
                if name == "RejectedPositiveData" and _cross_field(operation, response):
                    name = "CrossFieldRule"
                title = getattr(failure, "title", "") or ""
                message = getattr(failure, "message", "") or str(failure)
                sent = f"{case.path_parameters} {case.query} {str(case.body)[:300]}"
                report.add(
                    name,
                    f"{where}: {title}: {message[:600]}{answer}\n sent: {sent}",
                    operation.label,
                )

    run()
