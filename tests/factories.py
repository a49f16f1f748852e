"""factory-boy factories for the people and places every test needs."""

import factory
from django.contrib.auth import get_user_model

from apps.communities.models import (
    Agreement,
    Community,
    CommunityKind,
    Membership,
    MembershipStatus,
    Organization,
    Role,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    # Derived from the address, not drawn by Faker: a random name could be a substring of
    # another person's on the page (or be escaped in HTML) and turn a test by chance.
    display_name = factory.LazyAttribute(lambda user: f"{user.email.split('@')[0].title()} Tester")
    language = "en"  # tests read English; Japanese is checked explicitly
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"組織{n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"community-{n}")
    name = factory.Sequence(lambda n: f"コミュニティ{n}")
    name_en = factory.Sequence(lambda n: f"Community {n}")
    kind = CommunityKind.ISAC


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    community = factory.SubFactory(CommunityFactory)
    version = 1
    title = "情報取扱規程"
    body = "共有された情報は TLP に従って取り扱うこと。"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.MEMBER
    status = MembershipStatus.ACTIVE
