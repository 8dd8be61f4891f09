from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from archive.db import Base
from archive.models.cases import Document


class ClaimKey(Base):
    """What a claim is matched on against every other claim (archive/models/claim_key_rules.py):
    an invoice's number, a QR payload, a stay, a treatment date, an agreement's validity. Kept
    in step with the documents' fields as read and corrected, so the flags look up indexed
    columns instead of scanning every document's JSON fields. Derived data: rebuilt per case
    whenever a document of the case or the claimant's identity changes."""

    __tablename__ = "claim_keys"
    __table_args__ = (
        Index("ix_claim_keys_value", "kind", "value"),
        Index("ix_claim_keys_person", "person", "kind", "admitted"),
        Index("ix_claim_keys_hospital", "kind", "hospital", "admitted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # invoice_no | qr | stay | visit | agreement
    # invoice number, sha256 of a QR payload; a stay's or visit's seller tax id, an agreement's
    # credit code
    value: Mapped[str | None] = mapped_column(String(64))
    extra: Mapped[str | None] = mapped_column(String(64))  # invoice code beside its number; 医保 code
    person: Mapped[str | None] = mapped_column(String(64))  # ID number (or 医保号) of the claimant
    hospital: Mapped[str | None] = mapped_column(String(128))
    admitted: Mapped[date | None] = mapped_column(Date)  # stay: 入院; visit: treated; agreement: from
    discharged: Mapped[date | None] = mapped_column(Date)  # stay: 出院; agreement: valid to


# The same file in another case is looked up by its stored object (archive/workflows/duplicates.py):
# the documents' unique (case, object) constraint does not lead with the object.
Index("ix_documents_object", Document.object_id)


def _after_flush(session, _context) -> None:
    # Lazily imported: the rules import the models this module is part of.
    from archive.models.claim_key_rules import refresh_changed

    refresh_changed(session)


event.listen(Session, "after_flush", _after_flush)
