"""Looking at files before anything trusts them: the type by content (sniff), spooling an upload
to disk while hashing it (spool), bounded decoding of PDF streams (pdfstreams), the limits and
checks every upload passes (validate), and safe display names (filenames).

The ground floor: at module level it imports nothing from the feature packages, so intake, ocr, records and
the previews can all build on it. Import the module you need.
"""
