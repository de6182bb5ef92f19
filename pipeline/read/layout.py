"""The secretary's workbook: its sheets and columns, shared by the writer and the reader.

Every data sheet starts with three header rows: Kazakh titles, Russian titles, field
codes. The reader finds the header by its text (any of the three rows), so columns may be
moved. Choice columns show ``kk / ru`` labels and accept the label, either half or the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.profile import Profile

__all__ = [
    "ABSENCE_KINDS",
    "EMPLOYEES_TITLE",
    "HEADER_ROWS",
    "LISTS_SHEET",
    "NO",
    "ORGANISATION",
    "ORGANISATION_FIELDS",
    "PEOPLE",
    "RELATION_CHOICES",
    "ROLE_CHOICES",
    "VOTE_CHOICES",
    "YES",
    "Column",
    "Field",
    "SheetSpec",
    "choice_value",
    "layout",
    "normalise_label",
]

Kind = Literal["text", "date", "bool", "number", "int", "value", "choice", "ids", "indexes", "person"]

YES = "иә / да"
NO = "жоқ / нет"
HEADER_ROWS = 3
LISTS_SHEET = "_lists"

ROLE_CHOICES = {"chair": "төраға / председатель", "member": "мүше / член",
                "secretary": "хатшы / секретарь"}
ABSENCE_KINDS = {
    "annual_leave": "еңбек демалысы / трудовой отпуск",
    "unpaid_leave": "жалақысы сақталмайтын демалыс / отпуск без сохранения заработной платы",
    "social_leave": "әлеуметтік демалыс / социальный отпуск",
    "sick_leave": "еңбекке уақытша жарамсыздық / временная нетрудоспособность",
    "business_trip": "іссапар / командировка",
    "internship": "тағылымдама / стажировка",
    "training": "қайта даярлау, біліктілікті арттыру / переподготовка, повышение квалификации",
}
RELATION_CHOICES = {
    "self": "өзін-өзі бағалау / самооценка",
    "direct_manager": "тікелей басшы / непосредственный руководитель",
    "subordinate": "бағыныштағы қызметші / подчинённый",
    "peer": "әріптес / коллега",
}
VOTE_CHOICES = {"approve": "бекіту / утвердить", "review": "қайта қарау / пересмотреть"}


@dataclass(frozen=True)
class Column:
    """One column: its code (a model field, dotted below the row object) and titles."""

    code: str
    kk: str
    ru: str
    kind: Kind = "text"
    choices: dict[str, str] = field(default_factory=dict)
    required: bool = False
    width: int = 18

    def labels(self) -> set[str]:
        return {normalise_label(self.code), normalise_label(self.kk), normalise_label(self.ru)}


@dataclass(frozen=True)
class Field:
    """One row of the key-value Organisation sheet: a dotted model path."""

    code: str
    kk: str
    ru: str
    kind: Kind = "text"


@dataclass(frozen=True)
class SheetSpec:
    id: str
    title: str
    columns: tuple[Column, ...]
    key: str | None = "employee"        # the column joining rows to an employee
    required: bool = False

    def names(self) -> set[str]:
        parts = {self.title, *self.title.split(" - "), self.id}
        return {normalise_label(p) for p in parts}


def normalise_label(text: str) -> str:
    """Compare header texts loosely: case, spaces, a trailing ``*``."""
    return " ".join(str(text).replace("*", " ").split()).casefold()


def choice_value(column: Column, raw: str) -> str | None:
    """The code for a typed choice (code, ``kk / ru`` label or either half), else None."""
    wanted = normalise_label(raw)
    for code, label in column.choices.items():
        options = {code, label, *label.split(" / ")}
        if wanted in {normalise_label(o) for o in options}:
            return code
    return None


def _c(code: str, kk: str, ru: str, kind: Kind = "text", **extra: object) -> Column:
    return Column(code, kk, ru, kind, **extra)  # type: ignore[arg-type]


_EMPLOYEE = _c("employee", "Қызметші ID", "ID служащего", required=True, width=12)
_PERSON = (
    _c("id", "ID", "ID", required=True, width=10),
    _c("full_name", "Тегі, аты, әкесінің аты", "Фамилия, имя, отчество", required=True, width=32),
    _c("iin", "ЖСН", "ИИН", width=15),
    _c("position_kk", "Лауазымы (қазақша)", "Должность (на казахском)", width=30),
    _c("position_ru", "Лауазымы (орысша)", "Должность (на русском)", width=30),
    _c("email", "Электрондық пошта", "Электронная почта", width=22),
)

ORGANISATION_FIELDS = (
    Field("profile", "Әдістеме профилі", "Профиль методики"),
    Field("organisation.name_kk", "Мемлекеттік органның атауы (қазақша)", "Наименование госоргана (на казахском)"),
    Field("organisation.name_ru", "Мемлекеттік органның атауы (орысша)", "Наименование госоргана (на русском)"),
    Field("organisation.bin", "БСН", "БИН"),
    Field("organisation.city_kk", "Қала (қазақша)", "Город (на казахском)"),
    Field("organisation.city_ru", "Қала (орысша)", "Город (на русском)"),
    Field("period.year", "Бағаланатын жыл", "Оцениваемый год", "int"),
    Field("period.quarter", "Тоқсан (тоқсандық бағалауда)", "Квартал (при квартальной оценке)", "int"),
    Field("commission.order_number", "Комиссияны құру туралы бұйрықтың нөмірі", "Номер приказа о создании комиссии"),
    Field("commission.order_date", "Бұйрықтың күні", "Дата приказа", "date"),
    Field("commission.notified_evaluators_on", "Бағалаушыларға хабарланған күн",
          "Дата уведомления оценивающих", "date"),
    Field("commission.sitting.date", "Комиссия отырысының күні", "Дата заседания комиссии", "date"),
    Field("commission.sitting.place", "Отырыс өтетін орын", "Место заседания"),
    Field("commission.sitting.present", "Отырысқа қатысқандар (ID, «;» арқылы)",
          "Присутствовали на заседании (ID через «;»)", "ids"),
    Field("commission.sitting.secret_ballot", "Жасырын дауыс беру", "Тайное голосование", "bool"),
    Field("commission.sitting.conclusion", "Комиссия қорытындысы", "Заключение комиссии"),
    Field("commission.completed_on", "Нәтижелер бекітілген күн", "Дата утверждения результатов", "date"),
)

ORGANISATION = SheetSpec("organisation", "Ұйым - Организация", (
    _c("field", "Өріс коды", "Код поля", required=True, width=34),
    _c("label", "Атауы", "Наименование", width=48),
    _c("value", "Мәні", "Значение", width=60),
), key=None, required=True)


PEOPLE = SheetSpec("people", "Адамдар - Люди", _PERSON + (
    _c("commission_role", "Комиссиядағы рөлі", "Роль в комиссии", "choice", choices=ROLE_CHOICES),
    _c("hr", "Персоналды басқару қызметі", "Служба управления персоналом", "bool"),
    _c("approves", "Нәтижелерді бекітеді", "Утверждает результаты", "bool"),
), key=None, required=True)
EMPLOYEES_TITLE = "Қызметшілер - Служащие"


def _grade_choices(profile: Profile | None) -> dict[str, str]:
    if profile is None:
        return {}
    return {g.id: f"{g.label.kk} / {g.label.ru}" for g in profile.grades}


def _employees_sheet(profile: Profile | None) -> SheetSpec:
    categories = {c: c for c in profile.categories} if profile else {}
    return SheetSpec("employees", EMPLOYEES_TITLE, _PERSON + (
        _c("unit_kk", "Құрылымдық бөлімше (қазақша)", "Структурное подразделение (на казахском)", width=30),
        _c("unit_ru", "Құрылымдық бөлімше (орысша)", "Структурное подразделение (на русском)", width=30),
        _c("category", "Санаты", "Категория", "choice", choices=categories, required=True, width=10),
        _c("is_head_of_unit", "Бөлімше басшысы", "Руководитель подразделения", "bool"),
        _c("delivers_public_services", "Мемлекеттік қызмет көрсетеді", "Оказывает госуслуги", "bool"),
        _c("appointed_on", "Лауазымға тағайындалған күн", "Дата назначения на должность", "date",
           required=True),
        _c("probation", "Сынақ мерзімінде", "На испытательном сроке", "bool"),
        _c("returned_from_social_leave_on", "Әлеуметтік демалыстан шыққан күн",
           "Дата выхода из социального отпуска", "date"),
        _c("dismissed_on", "Босатылған күн", "Дата увольнения", "date"),
        _c("direct_manager", "Тікелей басшы (ID)", "Непосредственный руководитель (ID)", "person",
           required=True),
        _c("superior", "Жоғары тұрған басшы (ID)", "Вышестоящий руководитель (ID)", "person"),
        _c("manager_is_first_head", "Тікелей басшы – бірінші басшы", "Непосредственный руководитель – первый руководитель", "bool"),
    ), key=None, required=True)


_ABSENCES = SheetSpec("absences", "Болмауы - Отсутствие", (
    _EMPLOYEE,
    _c("kind", "Себебі", "Причина", "choice", choices=ABSENCE_KINDS, width=40),
    _c("start", "Басталған күн", "Дата начала", "date"),
    _c("end", "Аяқталған күн", "Дата окончания", "date"),
))

_KPIS = SheetSpec("kpis", "НМИ - КЦИ", (
    _EMPLOYEE,
    _c("title", "НМИ атауы", "Наименование КЦИ", required=True, width=40),
    _c("source", "Қай көрсеткіштен түйінделеді", "Из какого показателя вытекает", width=30),
    _c("unit", "Өлшем бірлігі", "Единица измерения", width=12),
    _c("planned", "Жоспарлы мәні", "Плановое значение", "value", width=12),
    _c("actual", "Нақты мәні", "Фактическое значение", "value", width=12),
    _c("due", "Қол жеткізу мерзімдері", "Сроки достижения", width=14),
    _c("key_result", "Түйінді нәтиже", "Ключевой результат", width=30),
    _c("met", "Толық орындалды", "Выполнен полностью", "bool"),
    _c("score", "Балл (0–5)", "Балл (0–5)", "number", width=10),
    *(_c(f"quarter_scores.{q}", f"{q}-тоқсан балы", f"Балл за {q} квартал", "number", width=10)
      for q in (1, 2, 3, 4)),
    _c("is_process_work", "Процестік жұмыс", "Процессная работа", "bool"),
))

_ACQUAINTANCE = SheetSpec("acquaintance", "Таныстыру - Ознакомление", (
    _EMPLOYEE,
    _c("on", "Танысқан күн", "Дата ознакомления", "date"),
    _c("refused", "Танысудан бас тартты", "Отказался от ознакомления", "bool"),
    _c("witnesses", "Акт куәлары (ID, «;» арқылы)", "Свидетели акта (ID через «;»)", "ids", width=20),
    _c("channel", "Нәтижелер жолданған арна", "Канал направления результатов", width=30),
))


def _competencies_sheet(profile: Profile) -> SheetSpec:
    rule = profile.competencies
    keys = {c.key: f"{c.key}: {c.label.kk} / {c.label.ru}" for c in rule.competencies} if rule else {}
    return SheetSpec("competencies", "Құзыреттер - Компетенции", (
        _EMPLOYEE,
        _c("competency", "Құзырет", "Компетенция", "choice", choices=keys, required=True, width=40),
        _c("observed", "Байқалған индикаторлар (нөмірлері, «;» арқылы)",
           "Проявленные индикаторы (номера через «;»)", "indexes", width=30),
    ))


def _ranking_sheet(profile: Profile | None) -> SheetSpec:
    parameters = profile.ranking.parameters if profile and profile.ranking else []
    return SheetSpec("ranking", "Саралау - Ранжирование", (
        _EMPLOYEE,
        _c("quarter", "Тоқсан", "Квартал", "int", required=True, width=9),
        _c("evaluated", "Бағаланды", "Оценён", "bool"),
        *(_c(f"scores.{p.key}", p.label.kk, p.label.ru, "number", width=22) for p in parameters),
    ))


def _survey_sheet(profile: Profile | None) -> SheetSpec:
    rule = profile.survey_360 if profile else None
    competencies = {c.key: c for c in (*rule.head_competencies, *rule.staff_competencies)} if rule else {}
    return SheetSpec("survey_360", "360", (
        _EMPLOYEE,
        _c("relation", "Респонденттің қатынасы", "Отношение респондента", "choice",
           choices=RELATION_CHOICES, required=True, width=30),
        *(_c(f"scores.{c.key}", c.label.kk, c.label.ru, "number", width=20) for c in competencies.values()),
    ))


def _commission_sheets(grades: dict[str, str]) -> list[SheetSpec]:
    return [
        SheetSpec("decisions", "Шешімдер - Решения", (
            _EMPLOYEE,
            _c("corrected_grade", "Комиссия түзеткен баға", "Оценка, скорректированная комиссией", "choice",
               choices=grades, width=30),
            _c("correction_note", "Түзету негіздемесі", "Обоснование корректировки", width=40),
            _c("recommendation", "Комиссияның ұсынымдары", "Рекомендации комиссии", width=40),
        )),
        SheetSpec("votes", "Дауыстар - Голоса", (
            _EMPLOYEE,
            _c("member", "Комиссия мүшесі (ID)", "Член комиссии (ID)", required=True, width=14),
            _c("choice", "Дауысы", "Голос", "choice", choices=VOTE_CHOICES, required=True, width=26),
        )),
    ]


def _calibration_sheet(grades: dict[str, str]) -> SheetSpec:
    return SheetSpec("calibration", "Калибрлеу - Калибровка", (
        _EMPLOYEE,
        _c("applied_on", "Өтініш берілген күн", "Дата заявления", "date", required=True),
        _c("participants", "Қатысушылар (ID, «;» арқылы)", "Участники (ID через «;»)", "ids", width=24),
        _c("held_on", "Сессия өткен күн", "Дата проведения сессии", "date"),
        _c("votes_for_change", "Өзгертуді жақтағандар", "Голосов за изменение", "int"),
        _c("votes_against_change", "Өзгертуге қарсылар", "Голосов против изменения", "int"),
        _c("proposed_grade", "Ұсынылған баға", "Предложенная оценка", "choice", choices=grades, width=30),
        _c("protocol_signed_on", "Хаттамаға қол қойылған күн", "Дата подписания протокола", "date"),
    ))


_WORKFLOW_COLUMNS = {         # deadline anchor -> the anchor date and done date columns (model.Workflow.STEPS)
    "plan_returned": (
        _c("plan_returned_on", "Жоспар түзетуге қайтарылған күн", "Дата возврата плана на доработку", "date"),
        _c("plan_resubmitted_on", "Жоспар қайта ұсынылған күн", "Дата повторного представления плана", "date")),
    "sheet_returned": (
        _c("sheet_returned_on", "Бағалау парағы түзетуге қайтарылған күн", "Дата возврата оценочного листа на доработку",
           "date"),
        _c("sheet_resubmitted_on", "Бағалау парағы қайта енгізілген күн", "Дата повторного внесения оценочного листа",
           "date")),
    "superior_signed": (
        _c("superior_signed_on", "Жоғары тұрған басшы қол қойған күн", "Дата подписания вышестоящим руководителем",
           "date"),
        _c("sheet_to_commission_on", "НМИ парағы Комиссияға ұсынылған күн", "Дата вынесения листа по КЦИ на Комиссию",
           "date")),
    "manager_signed": (
        _c("manager_signed_on", "Тікелей басшы қол қойған күн", "Дата подписания непосредственным руководителем",
           "date"),
        _c("competency_sheet_to_commission_on", "Құзыреттер парағы Комиссияға ұсынылған күн",
           "Дата вынесения листа по компетенциям на Комиссию", "date")),
    "kpis_approved": (
        _c("kpis_approved_on", "НМИ бекітілген күн", "Дата утверждения КЦИ", "date"),
        _c("plan_in_is_on", "Жоспар ақпараттық жүйеге енгізілген күн", "Дата размещения плана в информационной системе",
           "date")),
}


def _workflow_sheet(profile: Profile | None) -> SheetSpec | None:
    """Dates of the steps ``profile`` sets a deadline for (all of them without a profile); None if none."""
    anchors = {d.anchor for d in profile.deadlines} if profile else set(_WORKFLOW_COLUMNS)
    columns = [c for anchor, pair in _WORKFLOW_COLUMNS.items() if anchor in anchors for c in pair]
    if not columns:
        return None
    return SheetSpec("workflow", "Мерзімдер - Сроки", (_EMPLOYEE, *columns))


def layout(profile: Profile | None) -> list[SheetSpec]:
    """The data sheets for ``profile`` in workbook order (methods it does not use have no sheet)."""
    methods = set(profile.methods) if profile else {"kpi", "competencies", "ranking", "survey_360",
                                                     "calibration"}
    grades = _grade_choices(profile)
    sheets = [ORGANISATION, PEOPLE, _employees_sheet(profile), _ABSENCES]
    if "kpi" in methods:
        sheets.append(_KPIS)
    if "competencies" in methods and profile is not None and profile.competencies is not None:
        sheets.append(_competencies_sheet(profile))
    if "ranking" in methods:
        sheets.append(_ranking_sheet(profile))
    if "survey_360" in methods:
        sheets.append(_survey_sheet(profile))
    if profile is None or profile.commission is not None:
        sheets += _commission_sheets(grades)
    workflow = _workflow_sheet(profile)
    if workflow is not None:
        sheets.append(workflow)
    sheets.append(_ACQUAINTANCE)
    if "calibration" in methods:
        sheets.append(_calibration_sheet(grades))
    return sheets
