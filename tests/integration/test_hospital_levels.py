"""A hospital's level from the provider register first (issue 19): a registered hospital whose
name the rules would place elsewhere takes the register's level in the claim computation and in
the statistics; an unregistered one keeps today's name rules."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, true
from stdnum.cn import uscc

from archive.claims.service import case_money
from archive.hospital_levels import hospital_level, level_scale, registered_level
from archive.models import Case
from archive.providers import add_alias, register_provider
from archive.signoff.workdays import today_in_china
from archive.statistics import level_of, parse_period
from archive.statistics.claims import claim_figures
from tests import factories
from tests.e2e.claim_api import inpatient_invoice

HOSPITAL = "福州市第一医院"  # "市" in the name: the policy's rules say city; statistics' say other
ELSEWHERE = "福州市第二医院"  # not registered: the rules still decide


def register(rt, desk, level: str) -> None:
    body = "12350100MB0000031"
    with rt.sessions.begin() as session:
        register_provider(session, session.merge(desk["admin"]), name=HOSPITAL, level=level,
                          kind="hospital", uscc=body + uscc.calc_check_digit(body))


def claim(rt, desk, hospital: str) -> str:
    case_no = factories.make_case(rt, desk["intake_clerk"], hospital=hospital)
    factories.upload(rt, desk["intake_clerk"], case_no, inpatient_invoice(
        admitted=date(2026, 3, 5), discharged=date(2026, 3, 8), hospital=hospital), kind="invoice")
    return case_no


def deductible_of(rt, case_no: str):
    with rt.sessions() as session:
        money = case_money(session, session.scalar(select(Case).where(Case.case_no == case_no)))
    line = next(line for line in money.computation.lines if line.key == "deductible")
    return line.label.zh, money.computation.approved_fen


def test_the_register_decides_the_level_of_the_claim_computation(rt, desk):
    registered, unregistered = claim(rt, desk, HOSPITAL), claim(rt, desk, ELSEWHERE)
    assert "市级" in deductible_of(rt, registered)[0]  # before registration: the name rules
    register(rt, desk, "village")  # a village clinic: the policy's township tier (providers.toml)
    label, approved = deductible_of(rt, registered)
    assert "乡镇级" in label
    assert "市级" in deductible_of(rt, unregistered)[0]  # not in the register: the rules, as today
    assert approved > deductible_of(rt, unregistered)[1]  # township: lower deductible, higher rate
    with rt.sessions() as session:
        assert hospital_level(session, f" {HOSPITAL} ", scale="policy") == "township"
        assert hospital_level(session, HOSPITAL, scale="statistics") == "village"
        assert hospital_level(session, ELSEWHERE, scale="statistics") == level_of(ELSEWHERE) == "other"


def test_statistics_count_a_registered_hospital_at_the_register_level(rt, desk):
    cases = [claim(rt, desk, HOSPITAL) for _ in range(2)] + [claim(rt, desk, ELSEWHERE)]
    register(rt, desk, "county")
    today = today_in_china()
    period = parse_period(month=f"{today.year}-{today.month:02d}")
    with rt.sessions() as session:
        figures = claim_figures(session, period, true(), {})
    received = {line.key: line.received for line in figures.dimensions["hospital_level"]}
    assert received == {"county": 2, "other": 1} and len(cases) == 3


def test_every_register_level_maps_onto_each_scale():
    assert level_scale("policy") == {"province": "province", "city": "city", "county": "county",
                                     "township": "township", "village": "township"}
    assert set(level_scale("statistics").values()) <= {"province", "city", "county", "township",
                                                       "village", "other"}


def test_a_hospital_written_another_way_gets_the_register_level(rt, desk):
    """Compared as the register matches documents: other brackets, spaces, a seal's words after
    the name, an OCR confusion, or one of the provider's aliases."""
    body = "12350100MB0000031"
    with rt.sessions.begin() as session:
        admin = session.merge(desk["admin"])
        provider = register_provider(session, admin, name="福州市第一医院（鼓楼院区）", level="village",
                                     kind="hospital", uscc=body + uscc.calc_check_digit(body))
        add_alias(session, admin, provider.id, alias="市一院")
    with rt.sessions() as session:
        for written in ("福州市第一医院(鼓楼院区)", "福州市第一医院[鼓楼院区]（章）",
                        "福州市第一医院 (鼓楼院区) 财务专用章", "福州市第一医阮（鼓楼院区）", "市一院(章)"):
            assert registered_level(session, written) == "village", written
            assert hospital_level(session, written, scale="policy") == "township", written
        assert registered_level(session, "福州市第一医院") is None  # another name: not this one
