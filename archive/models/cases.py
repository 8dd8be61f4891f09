from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow

# "audit" (稽核): a case file opened for an audit of a provider or of claims (chain 6).
CLAIM_TYPES = ("outpatient", "inpatient", "maternity", "trauma", "referral", "settlement", "other",
               "audit")
FILERS = ("insured", "provider")
DOCUMENT_KINDS = ("invoice", "daily_statement", "referral", "agreement", "vat_invoice", "other")


class DocumentStatus:
    RECEIVED = "received"
    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"

    UNFINISHED = (RECEIVED, PROCESSING)


class Case(Base):
    """A case file (案卷): one claimant's claim and every document that belongs to it."""

    __tablename__ = "cases"
    # The dashboard's weekly counts of cases opened (archive.dashboard).
    __table_args__ = (Index("ix_cases_created_at", "created_at"),
                      Index("ix_cases_creator_created", "created_by_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    claimant_name: Mapped[str] = mapped_column(String(64))
    claimant_id_number: Mapped[str | None] = mapped_column(String(32), index=True)
    insurance_number: Mapped[str | None] = mapped_column(String(64), index=True)
    claim_type: Mapped[str] = mapped_column(String(32))
    township: Mapped[str | None] = mapped_column(String(64))
    village: Mapped[str | None] = mapped_column(String(64))  # 村: the publication list (公示) groups by it
    # Where the care was given (the provider, as on its invoices): a hospital clerk sees the
    # cases of their hospital only (archive.access).
    hospital: Mapped[str | None] = mapped_column(String(128), index=True)
    # Who files the claim: "insured" (外报: the insured paid and claims at the agency) or
    # "provider" (内报: a designated provider settled at discharge and claims the fund's share).
    # None: derived from the other facts where they decide it (archive.workflows.filers).
    filed_by: Mapped[str | None] = mapped_column(String(16))
    # Claimed amount in fen (分), kept as an integer so no float or dialect rounds it.
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    out_of_county: Mapped[bool] = mapped_column(default=False)  # treated outside the county (县外)
    designated_provider: Mapped[bool] = mapped_column(default=True)  # at a designated provider (定点)
    status: Mapped[str] = mapped_column(String(32), default="intake")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    documents: Mapped[list[Document]] = relationship(
        back_populates="case", order_by="Document.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def amount(self) -> Decimal | None:
        """The claimed amount in yuan, two places."""
        return None if self.amount_fen is None else Decimal(self.amount_fen).scaleb(-2)


class StoredObject(Base):
    """The bytes of one original, stored once however often they are uploaded."""

    __tablename__ = "stored_objects"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    store_key: Mapped[str] = mapped_column(String(255), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the bytes were removed by an approved destruction (archive.records.disposition):
    # fixity and reconcile no longer expect them in the store.
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the stored bytes last failed their check (a fixity run or a download found them
    # changed or gone), cleared when they pass again: what /healthz counts.
    damaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class Document(Base):
    """One uploaded file inside a case, with its processing state."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("case_id", "object_id", name="uq_document_case_object"),
        Index("ix_documents_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"))
    kind: Mapped[str | None] = mapped_column(String(32))
    original_filename: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(default=0)
    # Set when the same bytes already belong to another case: a claim submitted twice.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.RECEIVED)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    # While a job works on the document it holds a lease; an expired lease means the job died.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What reading the document found (archive.ocr): fields by the names of the stable
    # contract, findings {code, severity, message}, and whether a person must look at it.
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    checks: Mapped[list] = mapped_column(JSON, default=list)
    kind_guessed: Mapped[bool] = mapped_column(default=False)
    needs_check: Mapped[bool] = mapped_column(default=False)
    # Where each field was read (provenance, archive.ocr.fields.FieldReading.sources):
    # {name: {"page": n, "boxes": [[left, top, right, bottom]]}} as fractions of the page, so a
    # box fits any rendering of it. None for documents read before provenance was kept.
    field_sources: Mapped[dict | None] = mapped_column(JSON)

    case: Mapped[Case] = relationship(back_populates="documents")
    stored_object: Mapped[StoredObject] = relationship()
    pages: Mapped[list[Page]] = relationship(
        back_populates="document", order_by="Page.number", cascade="all, delete-orphan"
    )
    corrections: Mapped[list[FieldCorrection]] = relationship(
        back_populates="document", order_by="FieldCorrection.id", cascade="all, delete-orphan"
    )


class Page(Base):
    """One page of a document and the text read from it."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_page_document_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    number: Mapped[int]
    width: Mapped[float | None]
    height: Mapped[float | None]
    source: Mapped[str | None] = mapped_column(String(16))  # "text_layer" or "ocr"
    text: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None]  # mean OCR word confidence, 0–100
    words: Mapped[list | None] = mapped_column(JSON)  # [[text, left, top, width, height, conf]]
    error: Mapped[str | None] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="pages")


class FieldCorrection(Base):
    """A person's correction of a field read from a document (更正). `Document.fields` holds the
    value in force; this row keeps what the machine read, what stood before and what was set.
    Rows are only ever added: the latest correction of a field is the one in force."""

    __tablename__ = "field_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    machine_value: Mapped[str | None] = mapped_column(Text)  # as read; None: not read at all
    previous_value: Mapped[str | None] = mapped_column(Text)  # in force before this correction
    value: Mapped[str | None] = mapped_column(Text)  # None: the field was cleared
    reason: Mapped[str] = mapped_column(Text)
    corrected_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    corrected_by_name: Mapped[str] = mapped_column(String(128))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="corrections")
