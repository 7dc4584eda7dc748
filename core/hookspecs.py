"""Every hook a Qingqian plugin can implement.

Built-in plugins (``plugins/``) and third-party distributions (entry-point group ``qingqian.plugins``)
use exactly these hooks; core never imports a plugin. A plugin is a module or object with functions
decorated by ``core.hookimpl`` and a ``PLUGIN_NAME`` (defaults to the module's last name), optionally
``PLUGIN_LABEL`` (Chinese display name) and ``PLUGIN_DESCRIPTION``.

Per-jurisdiction enablement: a jurisdiction's plan lists the plugins it uses. For a tenant whose plan does
not enable a plugin, the plugin's routes answer 404, its navigation items and widgets are not shown and its
scheduled jobs skip the tenant. Hooks that receive a ``tenant`` are only called for enabled plugins.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("qingqian")


# --- Structure: models, migrations, routes, commands --------------------------------------------------


@hookspec
def qingqian_register_models():
    """Return the model classes the plugin owns (subclasses of ``core.extensions.db.Model``).

    Tenant-owned models must mix in ``core.models.base.UnitOwned`` (or ``JurisdictionOwned``) so that
    isolation applies to them automatically, and set ``__url_param__`` to the URL parameter naming them.
    """


@hookspec
def qingqian_migration_locations():
    """Return directories holding the plugin's Alembic revisions (its own branch, ``branch_labels``)."""


@hookspec
def qingqian_api_blueprints():
    """Return ``flask_smorest.Blueprint`` objects; they are mounted under ``/api/v1``.

    Use ``core.api.base.Blueprint`` and, in schemas, ``core.api.Money`` for every amount: it is documented
    in OpenAPI as a string with a pattern, dumps ``Decimal`` as ``"1234.50"`` and refuses floats, ``"1e3"``
    and a third decimal with a Chinese reason naming the field. To refuse a request, raise
    ``core.api.ApiError(status, message=None, errors={field: [reason, ...]})``: the client gets
    ``{"code", "message", "errors"}`` with your Chinese message (or the status's Chinese default). A
    ``core.rules.validation.Refused`` (``ValidationFailed``, ``PaymentRefused``, ``TransitionError``…) raised
    by a core service and not caught answers 422 the same way, never 500.
    """


@hookspec
def qingqian_ui_blueprints():
    """Return ``flask.Blueprint`` objects for server-rendered pages (templates live with the plugin)."""


@hookspec
def qingqian_cli_commands():
    """Return ``click`` commands or groups added to the ``qingqian`` CLI."""


@hookspec
def qingqian_permissions():
    """Return ``{permission: [role, ...]}`` adding permissions the plugin's routes require."""


# --- Web shell --------------------------------------------------------------------------------------


@hookspec
def qingqian_nav_items(tenant, user):
    """Return ``core.web.nav.NavItem`` entries for the main navigation of this tenant and user."""


@hookspec
def qingqian_dashboard_widgets(tenant, user):
    """Return ``core.web.nav.Widget`` entries rendered on the dashboard."""


@hookspec
def qingqian_todo_items(tenant, user):
    """Return ``core.web.nav.TodoItem`` entries: what this user must do next, shown atop their dashboard.

    Called in the user's request (``g.principal`` holds their roles and scope, queries see only their
    subtree). Give each item the page where it is done (``url``) and, when it has one, its deadline
    (``due``, a date in the jurisdiction's calendar): the dashboard shows 剩余N天/逾期N天 and sorts by it.
    Return only what the user can act on (check ``g.principal.can_at``); items whose ``permission`` the
    user lacks are dropped. Example::

        TodoItem("待签认：甲一镇台账", url="/ledger/submissions/7", action="去签认", due=round.deadline)
    """


@hookspec
def qingqian_debt_list_filters(tenant):
    """Return ``core.web.debt_list.DebtListFilter`` entries: extra select boxes on the debt list page.

    Each narrows the list and its Excel export (same statement) when its query-string ``key`` holds one of
    its ``options``; a value outside them is reported on the page like a core filter error. Prefix the key
    with the plugin's name (``wages_flag``); keys the core list reads are refused. Example::

        DebtListFilter("wages_flag", "涉薪", {"flagged": "涉薪欠款"},
                       apply=lambda stmt, value: stmt.where(Debt.migrant_wages.is_(True)))
    """


@hookspec
def qingqian_debt_badges(tenant, debts):
    """Return ``{debt_id: [core.web.debt_list.DebtBadge, ...]}`` for the ``debts`` shown on one page of the
    debt list, or the one debt of a debt's own page (at most a page: query them in one go, not per debt).
    Badges appear after the status."""


# --- Jobs -----------------------------------------------------------------------------------------


@hookspec
def qingqian_jobs():
    """Return ``{job_name: callable}``.

    A job callable receives ``(ctx, **params)``; ``ctx`` reports progress and carries the user and tenant.
    """


@hookspec
def qingqian_job_failed(job, tenant):
    """A job of this tenant ended ``failed``: its last attempt raised, or its process died while running it.

    ``job`` is the job row (name, params, error). Lets the feature that started it release what it holds
    (an import waiting for its commit, say). Called in the system scope; return values are ignored.
    """


@hookspec
def qingqian_schedules():
    """Return ``core.jobs.schedule.Schedule`` entries (a job run periodically for every enabled tenant)."""


# --- Debt rules -----------------------------------------------------------------------------------


@hookspec
def qingqian_validate_debt(debt, plan, tenant):
    """Return a list of ``core.rules.validation.Issue`` for a debt about to be saved.

    An issue with ``level="error"`` refuses the save (422, naming the field); ``"warning"`` is kept with it.
    """


@hookspec
def qingqian_validate_payment(debt, payment_data, plan, tenant):
    """Return a list of ``core.rules.validation.Issue`` for a payment about to be recorded against ``debt``.

    ``payment_data`` holds the request's fields (``amount`` and ``wage_amount`` as ``Decimal``, ``paid_on``,
    ``method``, ...). The first issue with ``level="error"`` refuses the payment (``PaymentRefused``, 422
    naming the field) — e.g. the wage-first rule: migrant-worker wages are paid before the rest.
    """


@hookspec(firstresult=True)
def qingqian_compute_due_date(debt, plan, tenant):
    """Return the date by which the debt must be paid, or None to use the core rule."""


@hookspec(firstresult=True)
def qingqian_compute_late_interest(debt, payments, as_of, plan, tenant):
    """Return the late interest (``Decimal``) owed at ``as_of``, or None to use the core rule."""


# --- Events ---------------------------------------------------------------------------------------


@hookspec
def qingqian_debt_created(debt, actor):
    """Called after a debt is created (inside the transaction)."""


@hookspec
def qingqian_debt_changed(debt, before, after, actor):
    """Called after a debt's fields change; ``before``/``after`` hold only the changed fields."""


@hookspec
def qingqian_debt_paid(debt, payment, actor):
    """Called after a payment is recorded against a debt."""


@hookspec
def qingqian_debt_status_changed(debt, old_status, new_status, actor):
    """Called after a debt moves from one status to another."""


@hookspec
def qingqian_plan_keys():
    """Return the plan keys the plugin reads, as ``core.tenancy.plan_schema.PlanKey`` entries.

    Build them with ``core.tenancy.plan_schema.key(path, kind, label, default, inherits=..., doc=...)``:
    ``path`` is dotted (``rules.complaint_result_days``, ``deadlines.ledger_complete`` — a deadline key's
    label names the milestone on the dashboard and in reminders), ``kind`` one of
    ``plan_schema.KIND_LABELS`` (``int``, ``bool``, ``date``, ``decimal``, ``ratio``, ``month_day``, ...),
    ``default`` the value a plan without the key gets. Every plan file and plan edit is checked against the
    keys of core and of every installed plugin: an undeclared key, an unknown plugin or a bad value is
    refused, so a plugin must declare each key it reads. Read the value back from the plan in force
    (``core.tenancy.plans.plan_for``); the declared default is already merged in.
    """


# --- Import, export, reports ----------------------------------------------------------------------


@hookspec
def qingqian_import_column_synonyms(plan):
    """Return ``{field_name: [header synonym, ...]}`` used to recognise spreadsheet columns."""


@hookspec
def qingqian_export_columns(plan):
    """Return ``core.rules.columns.ExportColumn`` entries appended to debt exports.

    Called with the jurisdiction's plan for the plugins it enables; the ledger's whole-ledger export adds
    the columns after its own, in plugin order.
    """


@hookspec
def qingqian_milestone_status(tenant, key, deadline, plan):
    """Say whether the plan milestone ``key`` (a key of the plan's ``deadlines``, due on ``deadline``) is met.

    Return ``core.services.milestones.MilestoneStatus(done, detail)`` for a milestone whose work the plugin
    owns (``ledger_complete``: every unit's ledger submitted; ``agreements_signed``: every difficult debt
    under a signed agreement; ...), or None for one it does not know. ``plan`` is the year's plan in force.
    The dashboard shows 已完成 when every answering plugin says done, 逾期未完成 when one does not and the
    deadline has passed, and a neutral 已截止 when no plugin answers for a past deadline.
    """


@hookspec
def qingqian_report_sections(tenant, report):
    """Return ``core.web.nav.ReportSection`` entries for the named report (e.g. ``"progress"``)."""


# --- Tests and demos ------------------------------------------------------------------------------


@hookspec
def qingqian_demo_data(jurisdiction, users):
    """Add the plugin's demo content to ``jurisdiction`` after ``qingqian demo`` has loaded its debts.

    ``users`` maps a role name (``office_admin``, ``unit_clerk``, ``unit_head``, ...) to the jurisdiction's
    demo ``User`` holding it. Runs in system scope; the caller commits. Must be idempotent: add nothing
    when the plugin's demo content is already there. Return one line for the console (what was added), or
    None when nothing was.
    """


@hookspec
def qingqian_sample_objects(unit, user):
    """Create (and add to the session) one object of each tenant-owned model the plugin owns, in ``unit``.

    Return the created objects. The isolation tests use them to prove another tenant cannot reach them.
    """


@hookspec
def qingqian_stored_files():
    """Return ``core.tenancy.transfer.StoredFiles(table, column, root)`` for each column of the plugin's
    tables that holds the path of a file kept on disk: relative to ``root()`` (a callable, run in an app
    context) or absolute under it. A jurisdiction's export packs these files with its rows and the import
    writes them back under the new jurisdiction (``<root>/<jurisdiction id>/<random name>``)."""


# --- Notifications --------------------------------------------------------------------------------


@hookspec
def qingqian_notifiers():
    """Return notifier adapters that deliver messages outside the app (e-mail, SMS, ...).

    An adapter has a ``name`` and a ``send(notice)`` method; ``notice`` carries ``jurisdiction_id``,
    ``unit_id``, ``key``, ``title``, ``body``, ``link`` and ``level``. In-app notifications are always written
    by the caller; when no plugin returns an adapter, callers fall back to a logging adapter.
    """
