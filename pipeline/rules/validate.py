"""Rule validation: every violation of the methodology in an evaluation, all at once.

Each problem is an :class:`~pipeline.errors.Issue` located through ``locate(path)``, where
``path`` is a tuple into the input model such as ``("employees", 2, "kpis")``; the reader passes
its own ``locate`` (file, line or sheet/cell). Messages are ``rules.*`` keys in ``messages.yaml``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipeline.errors import Issue
from pipeline.model import Employee, Evaluation
from pipeline.profile import Profile, normalise_category
from pipeline.read.source import Locate, ModelPath, format_path
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.commission import decide, has_quorum, present_voters, voting_members
from pipeline.rules.deadlines import (
    evaluation_day,
    period_quarters,
    schedule,
    workflow_steps,
)
from pipeline.rules.eligibility import check_eligibility, is_head
from pipeline.rules.result import DeadlineDate

__all__ = ["late_actions", "validate"]

_PROCESS_WORK_CLAUSE = "cl. 2(5)"


class _Collector:
    def __init__(self, locate: Locate) -> None:
        self.locate = locate
        self.issues: list[Issue] = []

    def add(self, path: ModelPath, key: str, clause: str | None, value: Any = None, **params: Any) -> None:
        self.issues.append(Issue(location=self.locate(path), key=key, params=params, value=value, clause=clause))


def validate(evaluation: Evaluation, profile: Profile, locate: Locate = format_path,
             calendar: WorkingCalendar | None = None) -> list[Issue]:
    """All rule violations of ``evaluation`` under ``profile`` (empty list: valid)."""
    calendar = calendar or WorkingCalendar.default()
    out = _Collector(locate)
    _check_commission(evaluation, profile, out)
    day = evaluation_day(evaluation, profile, calendar)
    deadlines = schedule(evaluation, profile, calendar)
    for index, employee in enumerate(evaluation.employees):
        path: ModelPath = ("employees", index)
        status = check_eligibility(employee, evaluation.period, profile, calendar, day).status
        _check_dates(evaluation, employee, path, out)
        if normalise_category(employee.category) not in {normalise_category(c) for c in profile.categories}:
            out.add((*path, "category"), "rules.category.unknown", profile.eligibility.clause,
                    employee.category, known=", ".join(profile.categories))
        _check_kpis(employee, profile, path, status, out)
        _check_ranking(evaluation, employee, profile, path, out)
        _check_competencies(employee, profile, path, status, out)
        _check_survey(employee, profile, path, out)
        _check_refusal(employee, profile, path, out)
        _check_registered_notice(employee, profile, path, status, out)
        _check_calibration(employee, deadlines, path, out)
        _check_votes(evaluation, employee, profile, path, out)
    return out.issues


def late_actions(evaluation: Evaluation, profile: Profile, locate: Locate = format_path,
                 calendar: WorkingCalendar | None = None) -> list[Issue]:
    """Workflow steps done after their due date, located at the done date (``rules.deadline.late.<anchor>``).

    Not part of :func:`validate`: like a late acquaintance (cl. 40) or a late notice to the evaluators
    (cl. 29), a late step does not make the input invalid; :func:`~pipeline.rules.evaluate.evaluate`
    records it as a ``deadline.late`` finding.
    """
    calendar = calendar or WorkingCalendar.default()
    deadlines = schedule(evaluation, profile, calendar)
    out = _Collector(locate)
    for index, employee in enumerate(evaluation.employees):
        for deadline, field, done in workflow_steps(employee, deadlines):
            if done > deadline.due:
                out.add(("employees", index, "workflow", field), f"rules.deadline.late.{deadline.anchor}",
                        deadline.clause, done.isoformat(), done=done.isoformat(), due=deadline.due.isoformat(),
                        anchor=deadline.anchor_date.isoformat())
    return out.issues


def _check_dates(evaluation: Evaluation, employee: Employee, path: ModelPath, out: _Collector) -> None:
    period = evaluation.period
    clause = None                      # the period itself is set by the methodology, not one clause
    if employee.appointed_on > period.end:
        out.add((*path, "appointed_on"), "rules.date.after_period", clause, employee.appointed_on.isoformat(),
                start=period.start.isoformat(), end=period.end.isoformat())
    if employee.dismissed_on and employee.dismissed_on < period.start:
        out.add((*path, "dismissed_on"), "rules.date.before_period", clause, employee.dismissed_on.isoformat(),
                start=period.start.isoformat(), end=period.end.isoformat())
    quarters = period_quarters(period)
    for k, quarter in enumerate(employee.ranking):
        if quarter.quarter not in quarters:
            out.add((*path, "ranking", k, "quarter"), "rules.date.quarter_outside", clause, quarter.quarter,
                    year=period.year)
    for k, kpi in enumerate(employee.kpis):
        for q in kpi.quarter_scores:
            if q not in quarters:
                out.add((*path, "kpis", k, "quarter_scores", q), "rules.date.quarter_outside", clause, q,
                        year=period.year)
    commission = evaluation.commission
    completed = commission.completed_on if commission else None
    acquainted = employee.acquaintance.on if employee.acquaintance else None
    if completed and acquainted and acquainted < completed:
        out.add((*path, "acquaintance", "on"), "rules.date.order", None, acquainted.isoformat(),
                first="commission.completed_on", second="acquaintance.on")
    if employee.calibration and acquainted and employee.calibration.applied_on < acquainted:
        out.add((*path, "calibration", "applied_on"), "rules.date.order", None,
                employee.calibration.applied_on.isoformat(), first="acquaintance.on", second="calibration.applied_on")


def _uses_kpi(employee: Employee, profile: Profile) -> bool:
    return profile.kpi is not None and (not profile.kpi.heads_only or is_head(employee, profile))


def _check_kpis(employee: Employee, profile: Profile, path: ModelPath, status: str, out: _Collector) -> None:
    rule = profile.kpi
    if rule is None:
        return
    if _uses_kpi(employee, profile) and (employee.kpis or status != "not_evaluated"):
        count = len(employee.kpis)
        if not rule.min_count <= count <= rule.max_count:
            out.add((*path, "kpis"), "rules.kpi.count", rule.count_clause, count, count=count,
                    min=rule.min_count, max=rule.max_count)
    elif employee.kpis and rule.heads_only:
        out.add((*path, "kpis"), "rules.kpi.not_head", rule.count_clause, len(employee.kpis))
    for k, kpi in enumerate(employee.kpis):
        if kpi.is_process_work:
            out.add((*path, "kpis", k, "is_process_work"), "rules.kpi.process_work", _PROCESS_WORK_CLAUSE, kpi.title)
        scores: list[tuple[ModelPath, float]] = [((*path, "kpis", k, "quarter_scores", q), s)
                                            for q, s in kpi.quarter_scores.items()]
        if kpi.score is not None:
            scores.append(((*path, "kpis", k, "score"), kpi.score))
        for where, score in scores:
            if not rule.score_min <= score <= rule.score_max:
                out.add(where, "rules.score.range", rule.scoring_clause, score, min=rule.score_min, max=rule.score_max)


def _check_ranking(evaluation: Evaluation, employee: Employee, profile: Profile, path: ModelPath,
                   out: _Collector) -> None:
    rule = profile.ranking
    if rule is None:
        return
    keys = [p.key for p in rule.parameters]
    for k, quarter in enumerate(employee.ranking):
        for key, score in quarter.scores.items():
            where = (*path, "ranking", k, "scores", key)
            if key not in keys:
                out.add(where, "rules.ranking.unknown_parameter", rule.clause, key, known=", ".join(keys))
            elif not rule.score_min <= score <= rule.score_max:
                out.add(where, "rules.score.range", rule.clause, score, min=rule.score_min, max=rule.score_max)
        missing = [key for key in keys if key not in quarter.scores]
        if quarter.evaluated and missing:
            out.add((*path, "ranking", k, "scores"), "rules.ranking.missing_parameter", rule.clause,
                    None, missing=", ".join(missing))


def _check_competencies(employee: Employee, profile: Profile, path: ModelPath, status: str, out: _Collector) -> None:
    rule = profile.competencies
    if rule is None:
        return
    known = {c.key: c for c in rule.competencies}
    group = rule.group_for(employee.category, employee.is_head_of_unit)
    if group is None:
        if status != "not_evaluated" or employee.competencies:
            out.add((*path, "category"), "rules.competency.no_group", rule.no_indicator_clause or "App. 4",
                    employee.category)
        return
    seen: set[str] = set()
    for k, assessment in enumerate(employee.competencies):
        where = (*path, "competencies", k)
        if assessment.competency not in known:
            out.add((*where, "competency"), "rules.competency.unknown", rule.clause, assessment.competency,
                    known=", ".join(known))
            continue
        seen.add(assessment.competency)
        indicators = group.indicators.get(assessment.competency)
        total = len(indicators.effective) if indicators else 0
        for j, observed in enumerate(assessment.observed):
            if not 1 <= observed <= total:
                out.add((*where, "observed", j), "rules.competency.observed_range", rule.clause, observed,
                        competency=assessment.competency, total=total, group=group.id)
    if status == "not_evaluated":
        return
    for competency in rule.competencies:
        exempt = competency.public_services_only and not employee.delivers_public_services
        if competency.key not in seen and not exempt and competency.key in group.indicators:
            out.add((*path, "competencies"), "rules.competency.missing", rule.clause, competency.key,
                    competency=competency.key)


def _check_survey(employee: Employee, profile: Profile, path: ModelPath, out: _Collector) -> None:
    rule = profile.survey_360
    survey = employee.survey_360
    if rule is None or survey is None:
        return
    where = (*path, "survey_360")
    count = len(survey.respondents)
    if not rule.min_respondents <= count <= rule.max_respondents:
        out.add((*where, "respondents"), "rules.survey360.respondents", rule.clause, count, count=count,
                min=rule.min_respondents, max=rule.max_respondents)
    own = {c.key for c in (rule.head_competencies if is_head(employee, profile) else rule.staff_competencies)}
    heads_only = {c.key for c in rule.head_competencies} - {c.key for c in rule.staff_competencies}
    scored: list[tuple[ModelPath, str, float]] = [((*where, "self_assessment", key), key, s)
                                             for key, s in survey.self_assessment.items()]
    scored += [((*where, "respondents", r, "scores", key), key, s)
               for r, respondent in enumerate(survey.respondents) for key, s in respondent.scores.items()]
    for at, key, score in scored:
        if key not in own:
            out.add(at, "rules.survey360.head_competency" if key in heads_only else "rules.survey360.unknown_competency",
                    rule.clause, key, known=", ".join(sorted(own)))
        elif not rule.score_min <= score <= rule.score_max:
            out.add(at, "rules.score.range", rule.clause, score, min=rule.score_min, max=rule.score_max)


def _check_refusal(employee: Employee, profile: Profile, path: ModelPath, out: _Collector) -> None:
    acquaintance = employee.acquaintance
    notice = profile.notification
    if acquaintance is None or not acquaintance.refused:
        return
    needed = notice.refusal_act_witnesses
    if needed is not None and len(acquaintance.witnesses) < needed:
        out.add((*path, "acquaintance", "witnesses"), "rules.refusal.witnesses", notice.refusal_act_clause,
                len(acquaintance.witnesses), count=len(acquaintance.witnesses), needed=needed)
    allowed = [c.strip().lower() for c in notice.refusal_channels]
    if acquaintance.channel and allowed and acquaintance.channel.strip().lower() not in allowed:
        out.add((*path, "acquaintance", "channel"), "rules.refusal.channel", notice.refusal_clause,
                acquaintance.channel, allowed=", ".join(notice.refusal_channels))


def _check_registered_notice(employee: Employee, profile: Profile, path: ModelPath, status: str,
                             out: _Collector) -> None:
    """Someone evaluated without participation is told by a channel that records delivery (X3/X4)."""
    notice = profile.notification
    channel = employee.acquaintance.channel if employee.acquaintance else None
    if (status != "without_participation" or notice.registered_scope != "without_participation"
            or not notice.registered_channels or not channel):
        return
    if channel.strip().lower() not in {c.lower() for c in notice.registered_channels}:
        out.add((*path, "acquaintance", "channel"), "rules.notification.registered_channel",
                notice.registered_channels_clause, channel, allowed=", ".join(notice.registered_channels))


def _check_calibration(employee: Employee, deadlines: list[DeadlineDate], path: ModelPath, out: _Collector) -> None:
    request = employee.calibration
    if request is None:
        return
    for deadline in deadlines:
        if deadline.employee == employee.id and deadline.anchor == "acquaintance" and request.applied_on > deadline.due:
            out.add((*path, "calibration", "applied_on"), "rules.calibration.late_application", deadline.clause,
                    request.applied_on.isoformat(), due=deadline.due.isoformat(),
                    acquainted=deadline.anchor_date.isoformat())


def _check_commission(evaluation: Evaluation, profile: Profile, out: _Collector) -> None:
    commission, rule = evaluation.commission, profile.commission
    if commission is None or rule is None:
        return
    voters = voting_members(commission)
    if rule.min_members is not None and len(voters) < rule.min_members:
        out.add(("commission", "members"), "rules.commission.min_members", rule.min_members_clause,
                len(voters), count=len(voters), min=rule.min_members)
    ids = Counter(m.id for m in commission.members)
    for k, member in enumerate(commission.members):
        if ids[member.id] > 1:
            out.add(("commission", "members", k, "id"), "rules.commission.duplicate_member", rule.quorum_clause,
                    member.id)
    chairs = sum(m.role == "chair" for m in commission.members)
    if chairs != 1:
        out.add(("commission", "members"), "rules.commission.chair_count", rule.majority_clause, chairs, count=chairs)
    sitting = commission.sitting
    if sitting is None:
        return
    if sitting.secret_ballot:
        out.add(("commission", "sitting", "secret_ballot"), "rules.commission.secret_ballot", rule.open_vote_clause,
                True)
    for k, member_id in enumerate(sitting.present):
        if member_id not in ids:
            out.add(("commission", "sitting", "present", k), "rules.commission.present_unknown", rule.quorum_clause,
                    member_id)
    if sitting.date < evaluation.period.start:
        out.add(("commission", "sitting", "date"), "rules.date.before_period", None, sitting.date.isoformat(),
                start=evaluation.period.start.isoformat(), end=evaluation.period.end.isoformat())
    if commission.completed_on and commission.completed_on < sitting.date:
        out.add(("commission", "completed_on"), "rules.date.order", None, commission.completed_on.isoformat(),
                first="commission.sitting.date", second="commission.completed_on")


def _check_votes(evaluation: Evaluation, employee: Employee, profile: Profile, path: ModelPath, out: _Collector) -> None:
    commission, rule, decision = evaluation.commission, profile.commission, employee.decision
    if decision is None or rule is None:
        return
    where = (*path, "decision")
    if commission is None:
        out.add(where, "rules.commission.missing", rule.quorum_clause, None)
        return
    roles = {m.id: m.role for m in commission.members}
    present = set(commission.sitting.present) if commission.sitting else set()
    voted: set[str] = set()
    for k, vote in enumerate(decision.votes):
        at = (*where, "votes", k, "member")
        if vote.member not in roles:
            out.add(at, "rules.commission.vote_non_member", rule.majority_clause, vote.member)
        elif roles[vote.member] == "secretary" and not rule.secretary_votes:
            out.add(at, "rules.commission.secretary_votes", rule.secretary_clause, vote.member)
        elif vote.member not in present:
            out.add(at, "rules.commission.vote_absent", rule.quorum_clause, vote.member)
        elif vote.member in voted:
            out.add(at, "rules.commission.duplicate_vote", rule.majority_clause, vote.member)
        voted.add(vote.member)
    quorate = has_quorum(len(voting_members(commission)), len(present_voters(commission)), rule)
    if quorate and decide(decision, commission, rule)[0] == "review" and decision.corrected_grade is None:
        out.add((*where, "corrected_grade"), "rules.commission.review_without_correction", rule.correction_clause,
                None)
