import pytest

from complaints.models import Department
from tests.factories import CategoryFactory


@pytest.fixture(autouse=True)
def _organisation_in_new_york(settings):
    """Deadlines are counted in the organisation's time zone; pin it for these tests."""
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def complaints_category(db):
    return CategoryFactory(name="Patient complaint", slug="patient-complaint", kind="complaints")


@pytest.fixture
def department(db):
    return Department.objects.create(name="Emergency department")
