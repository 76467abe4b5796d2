"""A case reference that str.strip() empties is refused by the schema itself,
so the OpenAPI document and the server's reason check agree (schemathesis
found U+001F accepted by the schema and refused by the server)."""

import re

import pytest
from pydantic import ValidationError

from api.models import NOT_BLANK, Reasoned


@pytest.mark.parametrize("blank", ["\x1f", "\x1c\x1d", " \x85 ", "\u3000", "\t"])
def test_blank_case_ref_is_refused_by_the_model(blank: str) -> None:
    assert blank.strip() == ""
    with pytest.raises(ValidationError):
        Reasoned(purpose="Front door", case_ref=blank)
    assert re.search(NOT_BLANK, blank) is None


@pytest.mark.parametrize("ref", ["C-1", " 12 ", "\ufeffX"])
def test_case_ref_with_content_is_accepted(ref: str) -> None:
    assert Reasoned(purpose="Front door", case_ref=ref).case_ref == ref
    assert re.search(NOT_BLANK, ref) is not None
