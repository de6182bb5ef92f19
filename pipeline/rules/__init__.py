"""Rules engine: grades, competencies, commission, eligibility, working-day deadlines.

    issues = validate(evaluation, profile, source.locate)   # every violation, located
    result = evaluate(evaluation, profile)                   # grades, quorum, schedule
"""

from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.evaluate import evaluate
from pipeline.rules.result import EvaluationResult
from pipeline.rules.validate import validate

__all__ = ["EvaluationResult", "WorkingCalendar", "evaluate", "validate"]
