"""Test data: the shipped profiles and evaluations built field by field."""

from __future__ import annotations

import copy
from typing import Any

from pipeline.model import Evaluation
from pipeline.profile import Profile, load_profile


def profile(pid: str) -> Profile:
    """The shipped profile (``pipeline/profiles/<pid>.yaml``)."""
    return load_profile(pid)


def person(pid: str, name: str = "Сейітқали Айгүл Маратқызы") -> dict[str, Any]:
    return {"id": pid, "full_name": name}


def employee(eid: str = "e1", **extra: Any) -> dict[str, Any]:
    data = {"id": eid, "full_name": f"Қызметші {eid}", "category": "B-4", "appointed_on": "2020-01-01",
            "direct_manager": person("m1", "Басшы")}
    data.update(extra)
    return data


def commission(members: int = 5, present: int | None = None, sitting: str = "2024-12-20",
               completed: str | None = "2024-12-23", **sitting_extra: Any) -> dict[str, Any]:
    """Chair c1, members c2..cN, secretary s1; the first ``present`` voting members are present."""
    ids = [f"c{i}" for i in range(1, members + 1)]
    roster = [{**person(i, f"Мүше {i}"), "role": "chair" if i == "c1" else "member"} for i in ids]
    roster.append({**person("s1", "Хатшы"), "role": "secretary"})
    here = ids[: members if present is None else present] + ["s1"]
    return {"members": roster, "sitting": {"date": sitting, "present": here, **sitting_extra},
            "completed_on": completed}


def evaluation(pid: str = "udp-2018", employees: list[dict[str, Any]] | None = None, year: int = 2024,
               quarter: int | None = None, commission_data: dict[str, Any] | None | bool = True) -> Evaluation:
    data: dict[str, Any] = {
        "profile": pid,
        "organisation": {"name_kk": "Ұйым", "name_ru": "Организация"},
        "period": {"year": year, "quarter": quarter},
        "hr": person("hr1", "Кадр қызметкері"),
        "employees": copy.deepcopy(employees or [employee()]),
    }
    if commission_data is True:
        data["commission"] = commission()
    elif commission_data:
        data["commission"] = commission_data
    return Evaluation.model_validate(data)


def kpis(met: int, total: int = 5) -> list[dict[str, Any]]:
    return [{"title": f"НМИ {i + 1}", "met": i < met} for i in range(total)]
