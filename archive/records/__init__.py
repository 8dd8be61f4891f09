"""What must hold for years: the audit trail (audit), fixity (fixity), classification, archive
numbers and retention (retention, filing), legal holds (holds), appraisal and destruction
(disposition), and the case-file export (export).

Nothing is imported here: `archive.records.audit` is used by nearly every package, and an
eager import of the services would make those imports circular. Import the module you need.
"""
