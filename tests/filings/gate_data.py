"""Registry additions for the filing gate's tests (unit and browser): people, groups with members, apps."""

from __future__ import annotations

from jianfu.registry.models import App, Membership, Person, Unit, WorkGroup


def add_people(count: int, unit_code: str, prefix: str = "GP") -> list[Person]:
    unit = Unit.objects.get(code=unit_code)
    return Person.objects.bulk_create(
        [Person(code=f"{prefix}{i:03d}", name=f"网格员{prefix}{i:03d}", unit=unit) for i in range(count)]
    )


def add_group(code: str, name: str, owner_code: str, people: list[Person], purpose: str = "工作协调") -> WorkGroup:
    group = WorkGroup.objects.create(
        code=code,
        name=name,
        platform="微信",
        purpose=purpose,
        owner=Unit.objects.get(code=owner_code),
        member_count=len(people),
    )
    Membership.objects.bulk_create([Membership(group=group, person=p) for p in people])
    return group


def add_app(code: str, name: str, owner_code: str, description: str, functions: list[str]) -> App:
    return App.objects.create(
        code=code,
        name=name,
        category="app",
        owner=Unit.objects.get(code=owner_code),
        description=description,
        functions=functions,
    )
