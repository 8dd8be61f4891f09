"""Demo data: generated documents and accounts for trying the system out."""
