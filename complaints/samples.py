"""Synthetic complaint details for the demo data (no real people or events)."""

import random

from complaints.models import Complaint, Department


def sample_details(rng: random.Random, language: str) -> dict:
    complaint_type = rng.choice(Complaint.ComplaintType.values)
    severity = rng.choices(Complaint.Severity.values, weights=[4, 4, 2, 1])[0]
    names = sorted(Department.objects.filter(active=True).values_list("name", flat=True))
    department = Department.objects.get(name=rng.choice(names)) if names else None
    formal = (
        severity == Complaint.Severity.CRITICAL
        or complaint_type == Complaint.ComplaintType.PRIVACY
        or rng.random() < 0.25
    )
    return {
        "complaint_type": complaint_type,
        "severity": severity,
        "formal_grievance": formal,
        "department": department,
    }
