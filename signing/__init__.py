"""qujat signing: NCA-style keys, detached CAdES, signatures inside DOCX, verification."""
