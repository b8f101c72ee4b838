"""${VAR} substitution: docker/cli cli/compose/template/template_test.go's cases, re-expressed."""
import pytest
from hypothesis import given, strategies as st

from swarmsim.scenario.interpolate import InvalidTemplate, interpolate, substitute

DEFAULTS = {"FOO": "first", "BAR": ""}
lookup = DEFAULTS.get


@pytest.mark.parametrize("template, want", [
    ("$${foo}", "${foo}"),
    ("foo", "foo"),
    ("This ${missing} var", "This  var"), ("This ${BAR} var", "This  var"),
    ("This $FOO var", "This first var"), ("This ${FOO} var", "This first var"),
    ("ok ${missing:-def}", "ok def"), ("ok ${missing-def}", "ok def"),
    ("ok ${BAR:-def}", "ok def"), ("ok ${FOO:-def}", "ok first"),
    ("ok ${BAR-def}", "ok "),
    ("ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric"),
    ("ok ${FOO:?err}", "ok first"), ("ok ${FOO?err}", "ok first"), ("ok ${BAR?err}", "ok "),
])
def test_substitute(template, want):
    assert substitute(template, lookup) == want


@pytest.mark.parametrize("template", ["${", "$}", "${}", "${ }", "${ foo}", "${foo }", "${foo!}"])
def test_invalid_templates(template):
    with pytest.raises(InvalidTemplate, match="Invalid template"):
        substitute(template, lookup)


@pytest.mark.parametrize("template, message", [
    ("not ok ${UNSET_VAR:?Mandatory Variable Unset}", "required variable UNSET_VAR is missing a value: Mandatory Variable Unset"),
    ("not ok ${BAR:?Mandatory Variable Empty}", "required variable BAR is missing a value: Mandatory Variable Empty"),
    ("not ok ${UNSET_VAR:?}", "required variable UNSET_VAR is missing a value"),
    ("not ok ${UNSET_VAR?Mandatory Variable Unset}", "required variable UNSET_VAR is missing a value: Mandatory Variable Unset"),
    ("not ok ${UNSET_VAR?}", "required variable UNSET_VAR is missing a value"),
])
def test_required_variables(template, message):
    with pytest.raises(InvalidTemplate) as err:
        substitute(template, lookup)
    assert message in err.value.template


def test_interpolation_casts_typed_paths_and_names_each_bad_string():
    data = {"services": {"web": {"image": "nginx:${TAG}", "deploy": {"replicas": "${N}"},
                                 "environment": ["A=${", "B=$$x"]}},
            "networks": {"n": {"external": "${EXT}"}}}
    out, errors = interpolate(data, {"TAG": "1.25", "N": "3", "EXT": "yes"}.get)
    assert out["services"]["web"]["image"] == "nginx:1.25"
    assert out["services"]["web"]["deploy"]["replicas"] == 3
    assert out["networks"]["n"]["external"] is True
    assert out["services"]["web"]["environment"][1] == "B=$x"
    assert [(e.path, e.message) for e in errors] == [
        (("services", "web", "environment", 0), 'invalid interpolation format for services.web.environment.[]: '
                                                 '"A=${"; you may need to escape any $ with another $')]
    _, errors = interpolate({"services": {"w": {"deploy": {"replicas": "${N}"}}}}, {"N": "two"}.get)
    assert errors[0].message == ('error while interpolating services.w.deploy.replicas: failed to cast to expected '
                                 'type: strconv.Atoi: parsing "two": invalid syntax')


@given(st.text(alphabet=st.characters(blacklist_characters="$"), max_size=30))
def test_text_without_dollar_is_unchanged(text):
    assert substitute(text, lookup) == text


@given(st.text(max_size=30))
def test_doubled_dollars_are_literal(text):
    assert substitute(text.replace("$", "$$"), lookup) == text
