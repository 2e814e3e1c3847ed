"""Synthetic refill details for the demo data (generic drug names, made-up pharmacies)."""

import random
from datetime import date, timedelta

from prescription_refills.models import RefillRequest

MEDICATIONS = [
    ("lisinopril", "10 mg"),
    ("metformin", "500 mg"),
    ("atorvastatin", "20 mg"),
    ("levothyroxine", "50 mcg"),
    ("amlodipine", "5 mg"),
    ("sertraline", "50 mg"),
]


def sample_details(rng: random.Random, language: str) -> dict:
    request_type = rng.choice(RefillRequest.RequestType.values)
    medication, strength = rng.choice(MEDICATIONS)
    return {
        "request_type": request_type,
        "medication": medication,
        "strength": strength,
        "pharmacy": f"Demo Pharmacy #{rng.randrange(1, 50)}",
        "prescriber": f"Demo Prescriber {rng.randrange(1, 30)}",
        "last_fill_date": date(2025, 1, 1) + timedelta(days=rng.randrange(0, 300)),
        "clinical_question": request_type == "side_effect",
    }
