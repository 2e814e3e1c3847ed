"""Synthetic care navigation details for the demo data (made-up referral ids)."""

import random
from datetime import timedelta

from django.utils import timezone

from care_navigation.models import NavigationRequest

RequestType = NavigationRequest.RequestType
SPECIALTIES = ["cardiology", "dermatology", "endocrinology", "orthopedics", "physical therapy"]


def sample_details(rng: random.Random, language: str) -> dict:
    request_type = rng.choice(RequestType.values)
    details = {"request_type": request_type}
    if request_type in (RequestType.REFERRAL, RequestType.SPECIALIST):
        details["referral_id"] = f"DEMO-REF-{rng.randrange(10000, 99999)}"
        details["specialty"] = rng.choice(SPECIALTIES)
    if request_type in (RequestType.REFERRAL, RequestType.SCHEDULING):
        # Relative to today, so that the details stay valid whenever the demo data is loaded.
        details["target_date"] = timezone.localdate() + timedelta(days=rng.randrange(7, 60))
    return details
