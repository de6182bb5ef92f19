"""qujat: civil-servant performance evaluation paperwork for Kazakhstan.

Stages: read -> validate/evaluate -> render -> stamp -> sign -> package -> deliver.
"""

__version__ = "0.1.0"
