"""The demo's provider register: the county's designated providers the demo cases and agreements
name (archive/demo/documents.py HOSPITALS), with their codes and deposits. Idempotent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from archive.models import Provider

# (name, level, type, organisation part of the code, 医保 code, township, deposit in yuan)
DEMO_PROVIDERS = (
    ("县人民医院", "county", "hospital", "12341100MB0001001", "H34110000001", "城关镇", "50000"),
    ("县中医院", "county", "hospital", "12341100MB0001002", "H34110000002", "城关镇", "30000"),
    ("镇卫生院", "township", "health_centre", "12341100MB0001003", "H34110000003", "东关镇", "10000"),
)


def load_providers(session: Session, system) -> int:
    """Register the demo providers not yet in the register; how many were added."""
    from archive.providers import register_provider

    added = 0
    for name, level, kind, body, code, township, deposit in DEMO_PROVIDERS:
        if session.scalar(select(Provider.id).where(Provider.name == name)) is None:
            register_provider(session, system, name=name, level=level, kind=kind,
                              uscc=body + uscc.calc_check_digit(body), insurance_code=code,
                              township=township, deposit=deposit)
            added += 1
    return added
