"""Returnee lists for the bulk intake tests: CSV text built from rows of API field names."""

from __future__ import annotations

import csv
import io
from typing import Any

HEADER = (
    "external_id,given_name,family_name,name_km,sex,date_of_birth,phone,home_province,"
    "return_date,destination_country,skills,languages,trafficking_survivor,consent_referral,"
    "consent_share_with_employers,consent_research"
).split(",")


def person(number: int, **overrides: Any) -> dict[str, str]:
    """A valid row; each number is a different person (name, birth date and phone differ)."""
    row = {
        "external_id": f"P-{number}",
        "given_name": ["Sokha", "Dara", "Vanna", "Bopha", "Rithy", "Chenda"][number % 6]
        + ("" if number < 6 else f" {chr(65 + number % 26)}{chr(65 + number // 26 % 26)}"),
        "family_name": ["Chhay", "Keo", "Sok", "Mao", "Heng", "Lim"][number // 6 % 6],
        "name_km": "",
        "sex": "female" if number % 2 else "male",
        "date_of_birth": f"{1970 + number % 30}-{1 + number % 12:02d}-{1 + number % 28:02d}",
        "phone": f"0{12000000 + number * 7919}",
        "home_province": "02",
        "return_date": "12/08/2025",
        "destination_country": "TH",
        "skills": "bricklaying|welding",
        "languages": "km|th",
        "trafficking_survivor": "no",
        "consent_referral": "yes",
        "consent_share_with_employers": "1",
        "consent_research": "false",
    }
    row.update(overrides)
    return row


def people_csv(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = header or HEADER
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(name, "") for name in names])
    return out.getvalue().encode()
