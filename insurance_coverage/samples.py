"""Synthetic insurance details for the demo data (no real payers, members or claims)."""

import random

from insurance_coverage.models import InsuranceInquiry

InquiryType = InsuranceInquiry.InquiryType
PriorAuthorizationStatus = InsuranceInquiry.PriorAuthorizationStatus


def sample_details(rng: random.Random, language: str) -> dict:
    inquiry_type = rng.choice(InquiryType.values)
    details = {
        "inquiry_type": inquiry_type,
        "payer": f"Demo Health Plan {rng.randrange(1, 20)}",
        "plan": rng.choice(["Demo PPO", "Demo HMO", "Demo Medicare Advantage"]),
        "member_id": f"DEMO{rng.randrange(10000000, 99999999)}",
        "group_number": f"GRP-{rng.randrange(1000, 9999)}",
    }
    if inquiry_type == InquiryType.CLAIM_STATUS:
        details["claim_number"] = f"DEMO-CLM-{rng.randrange(100000, 999999)}"
    if inquiry_type == InquiryType.PRIOR_AUTHORIZATION:
        details["prior_authorization_number"] = f"DEMO-PA-{rng.randrange(10000, 99999)}"
        details["prior_authorization_status"] = rng.choice(
            [status for status in PriorAuthorizationStatus.values if status != "not_applicable"]
        )
    return details
