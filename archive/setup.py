"""`archive init`: everything a fresh or upgraded installation needs; safe to run again."""

from __future__ import annotations

from sqlalchemy import select

from archive import audit, schema
from archive.audit import checkpoints
from archive.audit.triggers import restore_triggers
from archive.auth import create_user
from archive.auth.permissions import SYSTEM_ROLE
from archive.auth.users import SYSTEM_USERNAME, system_user
from archive.models import Case, NumberSequence
from archive.models.claim_key_rules import refresh as refresh_claim_keys
from archive.records import record_checks
from archive.records.config_trail import note_configuration
from archive.records.fixity import CURSOR, LAST_RUN, VERIFY_LAST_RUN
from archive.records.reconcile import ORPHANS_LEFT, SWEEP_LAST_RUN
from archive.statistics import totals as statistics_totals

# Counters concurrent processes update in place.
SEQUENCES = (CURSOR, LAST_RUN, VERIFY_LAST_RUN, SWEEP_LAST_RUN, ORPHANS_LEFT, checkpoints.LAST_RUN,
             record_checks.CURSOR, record_checks.LAST_RUN)
PROVIDER_CODES = "0029"  # the revision from which claim keys carry the providers' codes


def initialise(runtime) -> list[str]:
    """Create or upgrade what the installation needs; returns what was done, for the log."""
    done = []
    runtime.settings.data_dir.mkdir(parents=True, exist_ok=True)
    runtime.tmp_dir.mkdir(parents=True, exist_ok=True)
    before = schema.current_revision(runtime.engine)
    schema.upgrade(runtime.engine)
    after = schema.current_revision(runtime.engine)
    done.append(f"database schema {before or 'empty'} → {after}" if before != after
                else f"database schema up to date ({after})")
    # Someone with DDL rights may have dropped the triggers that keep the trail append-only.
    restored = restore_triggers(runtime.engine) if before == after else []
    if restored:
        done.append(f"append-only triggers restored: {', '.join(restored)}")
    runtime.store.check()
    done.append(f"object store ready ({runtime.settings.get('store.backend')})")
    if before and before < PROVIDER_CODES <= after:
        # Keys written before then lack the codes a provider is matched by (the seller's tax id,
        # an agreement's credit and 医保 codes): rebuilt once from the documents as read.
        with runtime.sessions.begin() as session:
            case_ids = session.scalars(select(Case.id)).all()
            for start in range(0, len(case_ids), 500):
                refresh_claim_keys(session.connection(), case_ids[start:start + 500])
        done.append(f"claim keys rebuilt for {len(case_ids)} cases with the providers' codes")
    with runtime.sessions.begin() as session:
        if statistics_totals.count_if_never_counted(session):
            done.append("statistics totals counted for the cases already there")
    with runtime.sessions.begin() as session:
        for name in SEQUENCES:
            if session.get(NumberSequence, name) is None:
                session.add(NumberSequence(name=name, last_value=0))
        if system_user(session) is None:
            create_user(session, username=SYSTEM_USERNAME, display_name="System", role=SYSTEM_ROLE,
                        password=None)
            done.append("system account created")
        if restored:
            audit.record(session, "audit.triggers_restored", actor=system_user(session),
                         details={"triggers": restored})
    changes = note_configuration(runtime)
    if changes:
        done.append(f"configuration recorded in the audit trail ({len(changes)} files new or changed)")
    return done


