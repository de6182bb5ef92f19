"""Stage 4, stamp: QR codes in the header before signing, a printable stamped copy after."""
