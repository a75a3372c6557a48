"""Every write of the inspection: one function per change, each with its permission check, row lock and audit event
in one transaction (``sheets``, ``rounds``, ``scoring``, ``rectifications``)."""

from .rectifications import RECTIFICATION_MOVES, rectification_rectify
from .rounds import ROUND_MOVES, group_member_add, group_save, round_assign, round_create, round_move
from .scoring import ScoreInput, score_sync
from .sheets import indicator_save, sheet_save, sheets_seed

__all__ = [
    "RECTIFICATION_MOVES",
    "ROUND_MOVES",
    "ScoreInput",
    "group_member_add",
    "group_save",
    "indicator_save",
    "rectification_rectify",
    "round_assign",
    "round_create",
    "round_move",
    "score_sync",
    "sheet_save",
    "sheets_seed",
]
