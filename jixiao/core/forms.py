"""Form conventions shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms


def style_widgets(form: forms.BaseForm) -> None:
    """Give every visible widget its Bootstrap class, so templates render fields
    plainly with `includes/field.html`. Classes already set by the form win."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class StyledModelForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def _get_validation_exclusions(self) -> set[str]:
        # A field the view set on the instance instead of the form (a category's year,
        # an indicator's scheme) still takes part in the model's uniqueness constraints:
        # a duplicate then reads as the constraint's sentence, not a database error.
        exclude: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        model = self.instance._meta
        constrained = {
            name for constraint in model.constraints for name in getattr(constraint, "fields", ())
        }
        preset = {
            f.name
            for f in model.concrete_fields
            if f.name in constrained and getattr(self.instance, f.attname, None) is not None
        }
        return exclude - preset
