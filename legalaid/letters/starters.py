"""The starter letter templates shipped in ``policies/templates/`` (DOCX, Jinja tags).

A clinic edits the DOCX files themselves in Word or LibreOffice; this module only
(re)creates the starting point: ``python -m legalaid.letters.starters FOLDER``. The
tags a template may use are listed in :mod:`legalaid.letters.fill`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document as DocxDocument

# (title, paragraphs) per letter and language; {{ ... }} are filled from the case/form.
LETTERS: dict[str, dict[str, tuple[str, list[str]]]] = {
    "protection_order": {
        "en": (
            "Application for a protection order",
            [
                "To: {{ court }}",
                "Applicant: {{ client_name }}, {{ client_address }}",
                "Respondent: {{ respondent_name }}",
                "Under the Law of the Republic of Azerbaijan on Prevention of Domestic "
                "Violence (2010), the applicant asks the court to issue a protection order "
                "against the respondent.",
                "On {{ incident_date }} the following happened: {{ facts }}",
                "Represented by {{ lawyer_name }}, {{ clinic_name }}. Date: {{ today }}",
            ],
        ),
        "az": (
            "Mühafizə orderi verilməsi barədə ərizə",
            [
                "Kimə: {{ court }}",
                "Ərizəçi: {{ client_name }}, {{ client_address }}",
                "Cavabdeh: {{ respondent_name }}",
                "Azərbaycan Respublikasının “Məişət zorakılığının qarşısının alınması "
                "haqqında” Qanununa (2010) əsasən ərizəçi məhkəmədən cavabdehə qarşı "
                "mühafizə orderi verilməsini xahiş edir.",
                "{{ incident_date }} tarixində baş verənlər: {{ facts }}",
                "Nümayəndə: {{ lawyer_name }}, {{ clinic_name }}. Tarix: {{ today }}",
            ],
        ),
        "ru": (
            "Заявление о выдаче охранного ордера",
            [
                "Кому: {{ court }}",
                "Заявитель: {{ client_name }}, {{ client_address }}",
                "Ответчик: {{ respondent_name }}",
                "На основании Закона Азербайджанской Республики «О предотвращении бытового "
                "насилия» (2010) заявитель просит суд выдать охранный ордер в отношении "
                "ответчика.",
                "{{ incident_date }} произошло следующее: {{ facts }}",
                "Представитель: {{ lawyer_name }}, {{ clinic_name }}. Дата: {{ today }}",
            ],
        ),
    },
    "police_complaint": {
        "en": (
            "Complaint",
            [
                "To: {{ addressee }}",
                "From: {{ client_name }}",
                "I complain of discrimination on {{ incident_date }}: {{ facts }}",
                "I ask that the facts be investigated and those responsible held to account.",
                "Prepared with {{ lawyer_name }}, {{ clinic_name }}. Date: {{ today }}",
            ],
        ),
        "az": (
            "Şikayət",
            [
                "Kimə: {{ addressee }}",
                "Kimdən: {{ client_name }}",
                "{{ incident_date }} tarixində ayrı-seçkiliyə məruz qalmağımla bağlı "
                "şikayət edirəm: {{ facts }}",
                "Faktların araşdırılmasını və təqsirkarların məsuliyyətə cəlb edilməsini "
                "xahiş edirəm.",
                "Hazırlayan: {{ lawyer_name }}, {{ clinic_name }}. Tarix: {{ today }}",
            ],
        ),
        "ru": (
            "Жалоба",
            [
                "Кому: {{ addressee }}",
                "От: {{ client_name }}",
                "Жалуюсь на дискриминацию, произошедшую {{ incident_date }}: {{ facts }}",
                "Прошу провести проверку и привлечь виновных к ответственности.",
                "Подготовлено с {{ lawyer_name }}, {{ clinic_name }}. Дата: {{ today }}",
            ],
        ),
    },
    "power_of_attorney": {
        "en": (
            "Power of attorney",
            [
                "I, {{ client_name }}, identity document {{ identity_document }}, authorise "
                "{{ lawyer_name }} of {{ clinic_name }} to represent me: {{ scope }}.",
                "Date: {{ today }}",
                "Signature: ____________________",
            ],
        ),
        "az": (
            "Etibarnamə",
            [
                "Mən, {{ client_name }}, şəxsiyyət vəsiqəsi {{ identity_document }}, "
                "{{ clinic_name }} təşkilatından {{ lawyer_name }}-ə məni təmsil etməyi "
                "həvalə edirəm: {{ scope }}.",
                "Tarix: {{ today }}",
                "İmza: ____________________",
            ],
        ),
        "ru": (
            "Доверенность",
            [
                "Я, {{ client_name }}, документ, удостоверяющий личность, "
                "{{ identity_document }}, уполномочиваю {{ lawyer_name }} ({{ clinic_name }}) "
                "представлять мои интересы: {{ scope }}.",
                "Дата: {{ today }}",
                "Подпись: ____________________",
            ],
        ),
    },
    "referral": {
        "en": (
            "Referral letter",
            [
                "To: {{ addressee }}",
                "We refer {{ client_name }}, with her consent, for: {{ facts }}",
                "Only what she agreed to share is in this letter.",
                "{{ lawyer_name }}, {{ clinic_name }}. Date: {{ today }}",
            ],
        ),
        "az": (
            "Yönləndirmə məktubu",
            [
                "Kimə: {{ addressee }}",
                "Onun razılığı ilə {{ client_name }}-i aşağıdakı məqsədlə yönləndiririk: "
                "{{ facts }}",
                "Bu məktubda yalnız onun paylaşmağa razı olduğu məlumatlar var.",
                "{{ lawyer_name }}, {{ clinic_name }}. Tarix: {{ today }}",
            ],
        ),
        "ru": (
            "Направление",
            [
                "Кому: {{ addressee }}",
                "С её согласия направляем {{ client_name }} по следующему вопросу: {{ facts }}",
                "В письме только те сведения, которыми она согласилась поделиться.",
                "{{ lawyer_name }}, {{ clinic_name }}. Дата: {{ today }}",
            ],
        ),
    },
}


def write_starter_templates(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for code, languages in LETTERS.items():
        for language, (title, paragraphs) in languages.items():
            document = DocxDocument()
            document.add_heading(title, level=1)
            for paragraph in paragraphs:
                document.add_paragraph(paragraph)
            path = folder / f"{code}.{language}.docx"
            document.save(str(path))
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write_starter_templates(Path(sys.argv[1])):
        print(path)
