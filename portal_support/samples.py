"""Synthetic portal details for the demo data (demo usernames, no passwords)."""

import random

from portal_support.models import PortalIssue

BROWSERS = ["Firefox", "Chrome", "Safari", "Edge", "Portal app"]


def sample_details(rng: random.Random, language: str) -> dict:
    issue_type = rng.choice(PortalIssue.IssueType.values)
    details = {
        "issue_type": issue_type,
        "portal_username": f"demo.user{rng.randrange(1, 1000)}",
        "device": rng.choice(PortalIssue.Device.values),
        "browser": rng.choice(BROWSERS),
    }
    if issue_type == PortalIssue.IssueType.PROXY_ACCESS:
        details["proxy_name"] = f"Demo Proxy {rng.randrange(1, 100)}"
        details["proxy_relationship"] = rng.choice(PortalIssue.ProxyRelationship.values)
    return details
