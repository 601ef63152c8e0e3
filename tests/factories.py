import datetime

import factory
from django.contrib.auth import get_user_model

from actions.models import Action, Outcome
from partners.models import Agency, Membership, Partnership
from priorities.models import Plan, Priority, Theme

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.uk")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Agency {n}")
    short_name = factory.Sequence(lambda n: f"A{n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = Agency.Kind.OTHER


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create:
            Theme.objects.create_defaults(obj)

    @factory.post_generation
    def core_agencies(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.core_agencies.add(*extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    may_speak_for_agency = False


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Community Safety Plan {n}")
    period_start = datetime.date(2021, 4, 1)
    period_end = datetime.date(2022, 3, 31)
    deadline = datetime.date(2021, 5, 1)


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Priority {n}")
    order = factory.Sequence(lambda n: n)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    priority = factory.SubFactory(PriorityFactory)
    description = factory.Sequence(lambda n: f"Action number {n}")
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def supporting_agencies(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.supporting_agencies.add(*extracted)


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    action = factory.SubFactory(ActionFactory)
    description = factory.Sequence(lambda n: f"Outcome number {n}")
