"""Rules engine throughput: validate + evaluate of a 300-employee udp-2018 evaluation.

Baseline, measured in the same run: parsing the same data into the pydantic ``Evaluation`` model.
Run: ``python bench/rules.py``
"""

from __future__ import annotations

import time
from typing import Any

from pipeline.model import Evaluation
from pipeline.profile import load_profile
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.evaluate import evaluate
from pipeline.rules.validate import validate

EMPLOYEES = 300
ROUNDS = 5


def _data(competency_keys: list[str]) -> dict[str, Any]:
    members = [{"id": f"c{i}", "full_name": f"Мүше {i}", "role": "chair" if i == 1 else "member"} for i in range(1, 8)]
    members.append({"id": "s1", "full_name": "Хатшы", "role": "secretary"})
    employees = [{
        "id": f"e{n}", "full_name": f"Қызметші {n}", "category": "B-4", "appointed_on": "2020-01-01",
        "direct_manager": {"id": "m1", "full_name": "Басшы"},
        "kpis": [{"title": f"НМИ {k}", "planned": 100, "actual": 100 - (n + k) % 3} for k in range(5)],
        "competencies": [{"competency": key, "observed": [1]} for key in competency_keys],
        "decision": {"votes": [{"member": f"c{i}", "choice": "approve"} for i in range(1, 7)]},
    } for n in range(EMPLOYEES)]
    return {"profile": "udp-2018", "organisation": {"name_kk": "Ұйым", "name_ru": "Организация"},
            "period": {"year": 2024}, "hr": {"id": "hr", "full_name": "Кадр"},
            "commission": {"members": members, "sitting": {"date": "2024-12-20", "present": ["c1", "c2", "c3", "c4",
                                                                                             "c5", "c6", "s1"]},
                           "completed_on": "2024-12-23"},
            "employees": employees}


def _best(fn) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    profile = load_profile("udp-2018")
    calendar = WorkingCalendar.default()
    data = _data([c.key for c in profile.competencies.competencies])
    evaluation = Evaluation.model_validate(data)
    parse = _best(lambda: Evaluation.model_validate(data))
    check = _best(lambda: validate(evaluation, profile, calendar=calendar))
    run = _best(lambda: evaluate(evaluation, profile, calendar))
    print(f"{EMPLOYEES} employees, best of {ROUNDS}")
    print(f"  parse (baseline) {parse * 1000:8.1f} ms  1.00x")
    print(f"  validate         {check * 1000:8.1f} ms  {check / parse:5.2f}x  {EMPLOYEES / check:8.0f} employees/s")
    print(f"  evaluate         {run * 1000:8.1f} ms  {run / parse:5.2f}x  {EMPLOYEES / run:8.0f} employees/s")


if __name__ == "__main__":
    main()
