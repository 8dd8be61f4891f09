"""What must hold for years: fixity (fixity), classification and archive numbers (filing), legal
holds (holds), appraisal and destruction (disposition) and the checks of the audit chain the
desk runs (verification). The audit trail itself and the retention schedule are the ground
floor (archive.audit, archive.retention); the case-file export, which shows the case page's
history and the signed content, is archive.case_export.

Nothing is imported here: import the module you need.
"""
