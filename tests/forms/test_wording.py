"""Wording and layout of the generated forms against the seeds and the official texts (review fixes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from forms_helpers import ROOT, W, document_xml, text_of

from pipeline.forms.dates import due_words
from pipeline.forms.generate import generate
from pipeline.forms.terms import group_label, terms
from pipeline.model import Evaluation
from pipeline.profile import load_profile
from pipeline.rules.evaluate import evaluate

EXAMPLES = ROOT / "examples"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture(scope="module", params=["atyrau-2018", "vssk-2018"])
def example(request, tmp_path_factory):
    """A 2018-scheme example evaluation, generated in both languages."""
    source = EXAMPLES / request.param / "evaluation.yaml"
    evaluation = Evaluation.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
    profile = load_profile(evaluation.profile)
    out = tmp_path_factory.mktemp(request.param) / "out"
    generate(evaluation, profile, evaluate(evaluation, profile), out)
    return request.param, out


def first(out: Path, name: str) -> str:
    return text_of(next(iter(sorted(out.rglob(name)))))


def both(out: Path, form: str) -> tuple[str, str]:
    return first(out, f"{form}.kk.docx"), first(out, f"{form}.ru.docx")


def test_commission_signer_labels_end_with_a_colon(generated):
    profile_id, out, _ = generated
    if profile_id != "udp-2018":
        pytest.skip("no commission in alatau-2024")
    kk, ru = both(out, "commission_protocol")
    for phrase in ("Комиссияның хатшысы:", "Комиссияның төрағасы:", "Комиссияның мүшесі:"):
        assert phrase in kk
    for phrase in ("Секретарь Комиссии:", "Председатель Комиссии:", "Член Комиссии:"):
        assert phrase in ru


def test_indicator_group_is_printed_in_the_document_language(generated):
    profile_id, out, _ = generated
    if profile_id != "udp-2018":
        pytest.skip("App. 4 is a 2018-scheme form")
    kk, ru = both(out, "competency_sheet")
    groups = terms()["indicator_groups"]["udp-2018"]
    printed = [g for g in groups.values() if g["ru"].split("\n")[0] in ru]
    assert printed, "no Russian group label on the Russian App. 4"
    for group in printed:
        assert group["kk"].split("\n")[0] in kk
        assert "басшы" not in group["ru"] and "басшы" not in ru.split("Поведенческие индикаторы компетенций")[1]


def test_indicator_groups_cover_every_2018_profile_group():
    for profile_id in ("udp-2018", "atyrau-2018", "vssk-2018"):
        profile = load_profile(profile_id)
        for group in profile.competencies.groups:
            for lang in ("kk", "ru"):
                assert group_label(profile_id, group.id, lang), (profile_id, group.id, lang)
    assert group_label("udp-2018", "G2", "ru") == ("B-2 (заместитель руководителя структурного подразделения)\n"
                                                   "B-4 (заведующий сектором)\nC-3 (руководитель управления)")
    assert group_label("udp-2018", "nope", "ru") is None


def test_every_label_has_both_languages_and_a_source():
    data = terms()
    entries = list(data["common"].items())
    entries += [(k, v) for form in data["forms"].values() for k, v in form["labels"].items()]
    entries += [(k, v) for forms in data["profiles"].values() for form in forms.values() for k, v in form.items()]
    entries += [(k, v) for groups in data["indicator_groups"].values() for k, v in groups.items()]
    for key, entry in entries:
        assert set(entry) == {"kk", "ru", "src"}, key
        assert entry["src"], key


def test_2023_sheets_use_the_2023_name_caption_and_merged_headers(generated):
    profile_id, out, _ = generated
    if profile_id != "alatau-2024":
        pytest.skip("2023-scheme sheets are alatau-2024's")
    for form in ("work_plan_head", "kpi_sheet_head", "ranking_sheet"):
        kk, ru = both(out, form)
        assert "(тегі, бас әріптер)" in kk and "(тегі, аты-жөнінің" not in kk, form
        assert "(фамилия, инициалы)" in ru, form
    for name in ("kpi_sheet_head.kk.docx", "work_plan_head.ru.docx"):
        root = document_xml(next(out.rglob(name)))
        first_table = next(root.iter(f"{W}tbl"))
        rows = first_table.findall(f"{W}tr")
        top = [tc.find(f"{W}tcPr/{W}vMerge") for tc in rows[0].findall(f"{W}tc")]
        below = [tc.find(f"{W}tcPr/{W}vMerge") for tc in rows[1].findall(f"{W}tc")]
        assert top[0] is not None and top[0].get(f"{W}val") == "restart"
        assert below[0] is not None and below[0].get(f"{W}val") is None
        assert rows[1].find(f"{W}trPr/{W}tblHeader") is not None
        assert first_table.find(f"{W}tblPr/{W}tblCellMar") is not None


def test_ranking_sheet_prints_every_paragraph_of_app_4(generated):
    profile_id, out, _ = generated
    if profile_id != "alatau-2024":
        pytest.skip("ranking is alatau-2024's")
    kk, ru = both(out, "ranking_sheet")
    assert "Сауалнаманы басынан аяғына дейін алаңдамай толтыру қажет." in kk
    assert "Анкету необходимо заполнить сразу же от начала до конца, не отвлекаясь." in ru
    assert "(функционалдық міндеттерін тиімді атқарады, функционалдық міндеттерін тиісті түрде атқарады" in kk
    assert "(выполняет функциональные обязанности эффективно, выполняет функциональные обязанности" in ru
    assert "1. Функционалдық міндеттерді орындау сапасы" in kk
    assert "1. Качество выполнения функциональных обязанностей" in ru


def test_360_sheets_print_the_intro_of_app_5_and_6(generated):
    profile_id, out, _ = generated
    if profile_id != "alatau-2024":
        pytest.skip("360 is alatau-2024's")
    for form in ("survey_360_head", "survey_360_staff"):
        kk, ru = both(out, form)
        assert "Ескертпе: 360 әдісі - бағаланатын адамның жұмыс ортасындағы адамдар тобынан сұрау арқылы" in kk
        assert "Бұл әдіс Сіздің әріптесіңізге өзінің күшті және әлсіз жақтарын жақсы түсінуге" in kk
        assert "нәтижелердің дұрыстығын арттыра аласыз." in kk
        assert "Примечание: метод 360 – метод оценки, направленный на выявление наличия" in ru
        assert "Данный метод поможет Вашему коллеге лучше понять свои сильные и слабые стороны" in ru
        assert "Так, Вы сможете сэкономить время и повысить достоверность результатов." in ru
        assert ru.index("Примечание: метод 360") < ru.index("В графе ответы")


def test_360_report_column_follows_app_7_or_8(generated):
    profile_id, out, _ = generated
    if profile_id != "alatau-2024":
        pytest.skip("360 is alatau-2024's")
    heads = [p for p in out.rglob("survey_360_report.ru.docx") if "(для руководителя)" in text_of(p)]
    staff = [p for p in out.rglob("survey_360_report.ru.docx") if "(для служащих корпуса «Б»)" in text_of(p)]
    assert heads and staff
    assert all("Средняя итоговая оценка по компетенциям" in text_of(p) for p in heads)
    assert all("Средняя итоговая оценка по каждой компетенции" in text_of(p) for p in staff)


def test_kpi_deadlines_are_dates_in_words(example):
    _, out = example
    kk, ru = both(out, "work_plan")
    assert not ISO_DATE.search(kk) and not ISO_DATE.search(ru)
    assert re.search(r"\d{4} жылғы \d{1,2} [а-яәіңғүұқөһ]+", kk)
    assert re.search(r"\d{1,2} [а-я]+ \d{4} года", ru)


def test_due_words():
    assert due_words("2025-12-20", "kk") == "2025 жылғы 20 желтоқсан"
    assert due_words("2025-12-20", "ru") == "20 декабря 2025 года"
    assert due_words("IV тоқсан", "kk") == "IV тоқсан"
    assert due_words("2025-13-40", "ru") == "2025-13-40"


def test_per_profile_wording_of_the_2018_examples(example):
    profile_id, out = example
    act_kk, act_ru = both(out, "refusal_act")
    assert "Бағаланатын кезең:" in act_kk and "Оцениваемый период:" in act_ru
    protocol_kk, protocol_ru = both(out, "commission_protocol")
    comp_kk, comp_ru = both(out, "competency_sheet")
    if profile_id == "atyrau-2018":
        plan_kk, plan_ru = both(out, "work_plan")
        assert "№ п/п" in plan_kk and "№ п/п" in plan_ru
        assert "Нысаналы мақсатты индикаторлардың атауы" in plan_kk
        assert "Жоғары тұрған басшы" in protocol_kk and "Лауазымды тұлға" not in protocol_kk
        assert "Вышестоящий руководитель" in protocol_ru
        assert "№ р/с" in protocol_kk and "(тегі, аты-жөні, қолы)" in protocol_kk
        group_line = comp_kk.split("Құзыреттердің мінез-құлық индикаторлары\n")[1].split("\n")[0]
        assert "E-3 (Құрылымдық бөлімшенің басшысы)" in group_line or group_line.startswith("E-")
        assert "бөлімшениң" not in group_line
        assert "Е-" not in comp_ru.replace("E-", "")  # codes in Latin letters on both forms
    else:
        assert "Әкімшілік бөлім" in act_kk and "Административный отдел" in act_ru
        assert "«Қызметті тұтынушыға ақпараттандыру»" in comp_kk
        assert "«Информирование потребителей услуг»" in comp_ru
        assert "Жоғары Сот Кеңесі аппаратының" not in comp_ru.split("Поведенческие индикаторы компетенций")[1]
