"""Edit forms: one ModelForm per kind, limited to the fields the do_update_* actions accept."""

from __future__ import annotations

from django import forms

from jianfu.registry.actions import EDITABLE_FIELDS
from jianfu.registry.models import App, Form, Person, PublicAccount, Unit, WorkGroup
from jianfu.textnorm import split_multi


class MultiValueField(forms.CharField):
    """A JSON list edited as one line, with the separators departments use (；、, and line breaks)."""

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "；".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return list(value)
        return split_multi(super().to_python(value))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _form_for(model, kind: str, multi: tuple[str, ...] = (), text_areas: tuple[str, ...] = ()):
    fields = EDITABLE_FIELDS[kind]
    date_fields = [f.name for f in model._meta.fields if f.name in fields and f.get_internal_type() == "DateField"]
    widgets = {name: DateInput() for name in date_fields}
    widgets.update({name: forms.Textarea(attrs={"rows": 3}) for name in text_areas})
    attrs = {
        "Meta": type("Meta", (), {"model": model, "fields": fields, "widgets": widgets}),
        **{name: MultiValueField(label=model._meta.get_field(name).verbose_name, required=False) for name in multi},
    }
    return type(f"{model.__name__}EditForm", (forms.ModelForm,), attrs)


EDIT_FORMS = {
    "units": _form_for(Unit, "units"),
    "people": _form_for(Person, "people"),
    "apps": _form_for(App, "apps", multi=("functions", "forced_features"), text_areas=("description",)),
    "accounts": _form_for(PublicAccount, "accounts", multi=("assessments",)),
    "groups": _form_for(WorkGroup, "groups", multi=("demands",), text_areas=("purpose",)),
    "forms": _form_for(Form, "forms"),
}
