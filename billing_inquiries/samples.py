"""Synthetic billing details for the demo data (no real accounts)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from billing_inquiries.models import BillingInquiry


def sample_details(rng: random.Random, language: str) -> dict:
    inquiry_type = rng.choice(BillingInquiry.InquiryType.values)
    return {
        "inquiry_type": inquiry_type,
        "account_number": f"DEMO-{rng.randrange(100000, 999999)}",
        "date_of_service": date(2026, 1, 1) + timedelta(days=rng.randrange(0, 300)),
        "amount_in_question": Decimal(rng.randrange(2000, 250000)) / 100,
        "payment_plan_requested": inquiry_type == "payment_plan",
    }
