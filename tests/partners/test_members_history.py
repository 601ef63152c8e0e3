"""What partners records for the members pages: every change of a membership and of the
coordinators in django-simple-history, whichever side of the relation it is made from; the
allowed e-mail domains, matched exactly."""

import pytest
from django.core.exceptions import ValidationError

from partners.domains import email_domains, validate_email_domains
from partners.models import Membership, Partnership
from tests.factories import MembershipFactory, PartnershipFactory, UserFactory


def coordinator_sets(partnership):
    Links = Partnership.history.model._history_m2m_fields  # noqa: N806
    assert [field.name for field in Links] == ["coordinators"]
    return [
        sorted(link.user_id for link in record.coordinators.all())
        for record in partnership.history.order_by("history_date", "pk")
    ]


def test_a_change_of_coordinators_is_recorded_from_either_side(db):
    partnership = PartnershipFactory()
    person, other = UserFactory(username="p1"), UserFactory(username="p2")
    partnership.coordinators.add(person)
    other.coordinated_partnerships.add(partnership)  # fails in django-simple-history 3.13 alone
    other.coordinated_partnerships.remove(partnership)
    person.coordinated_partnerships.clear()
    assert coordinator_sets(partnership) == [
        [],
        [person.pk],
        [person.pk, other.pk],
        [person.pk],
        [],
    ]


def test_a_membership_change_is_recorded_with_its_author(db, housing):
    author = UserFactory(username="author")
    membership = MembershipFactory(agency=housing)
    pk = membership.pk
    membership._history_user = author
    membership.may_speak_for_agency = True
    membership.save()
    membership._history_user = author
    membership.delete()
    records = Membership.history.filter(id=pk).order_by("history_date", "pk")
    assert [(r.history_type, r.may_speak_for_agency) for r in records] == [
        ("+", False),
        ("~", True),
        ("-", True),
    ]
    assert records.last().history_user == author


def test_email_domains_are_read_whatever_the_separators():
    assert email_domains(" @Bromford.co.uk,lichfielddc.gov.uk\n\nbromford.co.uk; x.org ") == [
        "bromford.co.uk",
        "lichfielddc.gov.uk",
        "x.org",
    ]


@pytest.mark.parametrize("text", ["gmail.com", "not a domain", "a_b.gov.uk", "lichfielddc"])
def test_public_or_malformed_domains_are_refused(text):
    with pytest.raises(ValidationError):
        validate_email_domains(text)


def test_a_partnership_allows_an_address_at_exactly_its_domains(db):
    partnership = PartnershipFactory(allowed_email_domains="bromford.co.uk\nlichfielddc.gov.uk")
    assert partnership.allows_email("Joe@Bromford.co.uk")
    assert not partnership.allows_email("joe@mail.bromford.co.uk")
    assert not partnership.allows_email("joe@bromford.co.uk.example")
    assert not partnership.allows_email("bromford.co.uk")
    found = Partnership.objects.allowing_email
    assert list(found("joe@lichfielddc.gov.uk")) == [partnership]
    assert list(found("joe@dc.gov.uk")) == []
    assert list(found("joe@co.uk")) == []
