"""Who may call each endpoint: the route matrix, declared once and enforced for every request.

Each endpoint names the permission (storage_config/roles.toml) a person needs before the view
runs, or several (all needed), or SIGNED_IN / PUBLIC. The record itself (its access grade, the
person's scope, the step a signer holds) is still decided inside the services; this table is the
coarse gate in front of them, so that a route cannot be added that nobody thought about: the app
refuses to start with an endpoint missing here, and tests/e2e/test_route_matrix.py walks every
entry for every role.
"""

from __future__ import annotations

from archive.auth import Forbidden, can
from archive.auth.permissions import permissions

PUBLIC = "public"        # no sign-in: the sign-in page, the health check, static files
SIGNED_IN = "signed_in"  # anyone signed in; what they see is narrowed by the services

ROUTES: dict[str, str | tuple[str, ...]] = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "health.healthz": PUBLIC,
    "auth.logout": SIGNED_IN,
    # A person's own API tokens; revoking one stays open to someone whose role lost api.use.
    "auth.my_tokens": "api.use",
    "auth.my_token_issue": "api.use",
    "auth.my_token_revoke": SIGNED_IN,

    "cases.home": SIGNED_IN,
    "cases.index": SIGNED_IN,
    "dashboard.index": SIGNED_IN,
    "dashboard.live": SIGNED_IN,
    "cases.new": "case.create",
    # A person's own saved views of the case list.
    "cases.save_list_view": SIGNED_IN,
    "cases.delete_list_view": SIGNED_IN,
    "cases.show": "case.view",
    "cases.states": "case.view",
    "cases.live": "case.view",
    "cases.choose_kind": "document.classify",
    "cases.upload": "document.upload",
    "cases.export": "case.export",
    # An original (or a page image) cannot be masked: it needs the full identifiers too.
    "cases.download": ("document.download", "identifiers.view"),
    "documents.show": "case.view",
    "documents.image": ("case.view", "identifiers.view"),
    "documents.correct": "document.correct",

    "api.create_case": "case.create",
    "api.show_case": "case.view",
    "api.correct_case": "case.edit",
    "api.upload": "document.upload",
    "api.show_document": "case.view",
    "api.reclassify": "document.classify",
    "api.remove_document": "document.delete",
    "api.correct_document_field": "document.correct",
    "api.download_original": ("document.download", "identifiers.view"),
    "api.search_documents": "search.use",
    "search.page": "search.use",

    # Who signs a step is the chain's business (the step's role, separation of duties): the
    # workflow service decides; the gate only asks that the case can be seen at all.
    "workflow.queue_page": SIGNED_IN,
    "workflow.queue_live": SIGNED_IN,
    "workflow.api.queue_api": SIGNED_IN,
    "workflow.decision_form": "case.view",
    "workflow.api.decision_api": "case.view",
    "workflow.resolve_form": "case.view",
    "workflow.api.resolve_api": "case.view",
    "workflow.api.findings_api": "case.view",
    "workflow.api.timeline_api": "case.view",
    "workflow.submit_form": "workflow.submit",
    "workflow.api.submit_api": "workflow.submit",

    "claims.adjust_form": "claim.adjust",
    "claims.claims_api.adjust_api": "claim.adjust",
    "claims.claims_api.computation_api": "case.view",
    "claims.claims_api.batch_api": "payment.batch.view",
    "claims.claims_api.bind_api": "payment.batch.bind",

    "reports.publication_page": "publication.view",
    "reports.publication_file": "publication.view",
    "reports.api.publication_api": "publication.view",
    "reports.spot_checks_page": "spot_check.view",
    "reports.api.spot_checks_api": "spot_check.view",
    "reports.api.spot_check_draw_api": "spot_check.view",
    "reports.spot_check_outcome": "spot_check.record",
    "reports.api.spot_check_outcome_api": "spot_check.record",

    "oversight.follow_ups_page": "spot_check.view",
    "oversight.oversight_api.follow_ups_api": "spot_check.view",
    "oversight.oversight_api.spot_checks_verify": "spot_check.view",
    "oversight.follow_up_record": "spot_check.record",
    "oversight.oversight_api.follow_up_record_api": "spot_check.record",
    # The working-day calendar is read by every deadline; entering a year is an admin's.
    "oversight.oversight_api.calendar_year": SIGNED_IN,
    "oversight.oversight_api.calendar_enter": "calendar.manage",

    "notices.index": "publication.view",
    "notices.show": "publication.view",
    "notices.show_csv": "publication.view",
    "notices.create_form": "publication.create",
    "notices.register_page": "objection.view",
    "notices.objection_form": "objection.record",
    "notices.close_form": "objection.decide",
    "notices.fund_page": "fund_report.view",
    "notices.fund_csv": "fund_report.view",
    "notices.income_form": "fund_income.record",
    "notices.notices_api.list_api": "publication.view",
    "notices.notices_api.show_api": "publication.view",
    "notices.notices_api.create_api": "publication.create",
    "notices.notices_api.register_api": "objection.view",
    "notices.notices_api.objection_api": "objection.record",
    "notices.notices_api.close_api": "objection.decide",
    "notices.notices_api.fund_api": "fund_report.view",
    "notices.notices_api.income_api": "fund_income.record",

    "records.desk": "records.view",
    "records.register_csv": "records.register",
    "records.set_class": "records.classify",
    "records.file_case": "records.file",
    "records.place_hold": "records.hold",
    "records.lift_hold": "records.hold",
    "records.appraise": "records.appraise",
    "records.approve": "records.approve_destruction",
    "records.destroy": "records.destroy",
    "records.verify_now": "audit.verify",
    "records.check_record": "records.view",
    # Back-scanning historical paper (著录回溯) and the volume lists (立卷, 移交清单).
    "backscan.page": "records.backscan",
    "backscan.start": "records.backscan",
    "backscan.progress": "records.backscan",
    "backscan.resume": "records.backscan",
    "backscan.volume_list": "records.view",

    # A borrower sees their own loans; granting, revoking and approving are the archive's.
    "loans.index": SIGNED_IN,
    "loans.grant": "loans.grant",
    "loans.revoke": "loans.grant",
    "loans.approve": "loans.approve",

    # The provider register (archive/providers/): read by the audit desks, kept by its managers.
    **{f"providers.{name}": "providers.view" for name in ("index", "show", "due")},
    **{f"providers.providers_api.{name}": "providers.view"
       for name in ("list_api", "reminders_api", "show_api", "due_api")},
    **{f"providers.{name}": "providers.manage" for name in (
        "create_form", "sanction_form", "assessment_form", "settlement_form", "deduction_form",
        "settle_form", "year_end_form", "deposit_form", "edit", "finding_form", "alias_form")},
    **{f"providers.providers_api.{name}": "providers.manage" for name in (
        "create_api", "sanction_api", "assessment_api", "settlement_api", "deduction_api",
        "settle_api", "year_end_api", "deposit_api", "edit_api", "finding_api", "alias_api")},

    # Statistics (统计): the report and its files; the insured counts behind the beneficiary rate.
    "statistics.page": "statistics.view",
    "statistics.csv": "statistics.view",
    "statistics.xlsx": "statistics.view",
    "statistics.insured_page": "statistics.insured",
    "statistics.insured_form": "statistics.insured",

    "admin.users": "user.manage",
    "admin.user": "user.manage",
    "admin.user_active": "user.manage",
    "admin.user_clearance": "user.manage",
    "admin.user_password": "user.manage",
    "admin.user_role": "user.manage",
    "admin.user_scope": "user.manage",
    "admin.user_token": "user.manage",
    "admin.user_token_revoke": "user.manage",
    "admin.workflows": "user.manage",
    "admin.retention_page": "user.manage",
    "admin.calendar_page": "calendar.manage",
    "admin.calendar_enter": "calendar.manage",
}


def needed(endpoint: str) -> tuple[str, ...]:
    """The permissions `endpoint` asks for (empty for SIGNED_IN and PUBLIC)."""
    declared = ROUTES[endpoint]
    if declared in (PUBLIC, SIGNED_IN):
        return ()
    return declared if isinstance(declared, tuple) else (declared,)


def is_public(endpoint: str | None) -> bool:
    return endpoint is None or ROUTES.get(endpoint) == PUBLIC


def check(user, endpoint: str) -> None:
    """Refuse `user` (signed in) the endpoint unless their role holds every permission it names."""
    missing = [permission for permission in needed(endpoint) if not can(user, permission)]
    if missing:
        raise Forbidden(", ".join(missing))


def undeclared(app) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()} - ROUTES.keys())


def unknown_permissions() -> list[str]:
    """Permissions named here that roles.toml does not define (a typo would refuse everyone)."""
    return sorted({p for endpoint in ROUTES for p in needed(endpoint)} - permissions())
