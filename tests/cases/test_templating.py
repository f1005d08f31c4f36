"""The four-part message templates of ``cases.templating``: checked when saved, filled in from a case, refused when a
part would be empty, without a database."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases import categories
from cases.templating import (
    PARTS,
    PLACEHOLDERS,
    RenderedMessage,
    check_template_parts,
    placeholders_in,
    render_template,
)

A_PLUS_TEMPLATE = {
    "issue_type": "Our brand {store} A+ content was rejected",
    "reference": "(Case {case_id}, ASIN {asin})",
    "evidence": "for 'contains promotional information', but it mentions no discount; the screenshot is attached.",
    "expected_result": "Please {expected_result}.",
}
A_PLUS_CASE = {"store": "Acme", "case_id": "123-456-7890", "asin": "B0CXYZ1234", "expected_result": "restore it"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal(function, *args):
    with pytest.raises(ValidationError) as caught:
        function(*args)
    return caught.value


def codes(error):
    """The codes of a ``{part: [errors]}`` refusal, by part."""
    return {part: [item.code for item in items] for part, items in error.error_dict.items()}


def messages(error, part):
    return [message for item in error.error_dict[part] for message in item.messages]


def template(**parts):
    return {**A_PLUS_TEMPLATE, **parts}


def test_the_parts_are_the_four_of_the_domain_in_order():
    assert PARTS == ("issue_type", "reference", "evidence", "expected_result")


def test_a_template_is_filled_in_from_the_case_part_by_part_each_a_paragraph():
    assert render_template(A_PLUS_TEMPLATE, A_PLUS_CASE) == RenderedMessage(
        parts={
            "issue_type": "Our brand Acme A+ content was rejected",
            "reference": "(Case 123-456-7890, ASIN B0CXYZ1234)",
            "evidence": A_PLUS_TEMPLATE["evidence"],
            "expected_result": "Please restore it.",
        },
        text="Our brand Acme A+ content was rejected\n\n(Case 123-456-7890, ASIN B0CXYZ1234)\n\n"
             + A_PLUS_TEMPLATE["evidence"] + "\n\nPlease restore it.",
    )


def test_a_chinese_template_is_filled_in_alike():
    parts = {"issue_type": "店铺{store}的A+内容被拒绝", "reference": "工单号：{case_id}", "evidence": "截图见附件",
             "expected_result": "请{expected_result}"}
    rendered = render_template(parts, {"store": "极客", "case_id": "1234567890", "expected_result": "重新审核"})
    assert rendered.text == "店铺极客的A+内容被拒绝\n\n工单号：1234567890\n\n截图见附件\n\n请重新审核"


def test_every_placeholder_can_be_filled_in():
    parts = template(evidence=" ".join(f"{{{name}}}" for name in PLACEHOLDERS))
    values = {name: name.upper() for name in PLACEHOLDERS}
    assert render_template(parts, values).parts["evidence"].split() == [values[name] for name in PLACEHOLDERS]


def test_doubled_braces_are_literal_braces_and_never_a_placeholder():
    parts = template(evidence="Send {{store}} as {store} in {{ braces }}")
    assert render_template(parts, A_PLUS_CASE).parts["evidence"] == "Send {store} as Acme in { braces }"


def test_a_value_with_braces_is_written_as_it_is_never_read_again():
    values = A_PLUS_CASE | {"store": "{case_id} {{x}} {store.__class__}"}
    rendered = render_template(A_PLUS_TEMPLATE, values)
    assert rendered.parts["issue_type"] == "Our brand {case_id} {{x}} {store.__class__} A+ content was rejected"


def test_a_list_of_asins_is_written_with_commas_and_values_are_trimmed():
    parts = template(reference="ASINs: {asins}")
    values = A_PLUS_CASE | {"asins": ["B0AAAAAAAA", "", "B0BBBBBBBB"], "store": "  Acme \n"}
    rendered = render_template(parts, values)
    assert rendered.parts["reference"] == "ASINs: B0AAAAAAAA, B0BBBBBBBB"
    assert rendered.parts["issue_type"] == "Our brand Acme A+ content was rejected"


def test_a_value_that_is_not_text_is_written_as_text():
    rendered = render_template(template(reference="Case {case_id}"), A_PLUS_CASE | {"case_id": 1234567890})
    assert rendered.parts["reference"] == "Case 1234567890"


def test_values_the_template_does_not_use_are_ignored():
    assert render_template(A_PLUS_TEMPLATE, A_PLUS_CASE | {"operator": "Li", "unrelated": "x"}).parts == (
        render_template(A_PLUS_TEMPLATE, A_PLUS_CASE).parts)


# -- the attribute access str.format would allow ---------------------------------------------------------------
@pytest.mark.parametrize("placeholder", ["{store.__class__}", "{store[0]}", "{store!r}", "{store:>10}", "{0}", "{}",
                                         "{ store }", "{Store}"])
def test_anything_but_an_exact_known_name_in_braces_is_an_unknown_placeholder(placeholder):
    error = refusal(render_template, template(issue_type=f"Brand {placeholder}"), A_PLUS_CASE)
    assert codes(error) == {"issue_type": ["unknown_placeholder"]}
    assert f"“{placeholder}” in the part “Issue type” is not a placeholder" in messages(error, "issue_type")[0]


def test_the_unknown_placeholder_message_lists_the_known_ones():
    error = refusal(check_template_parts, template(evidence="{screenshot}"))
    assert messages(error, "evidence") == [
        "“{screenshot}” in the part “Evidence” is not a placeholder; use one of: {store}, {marketplace}, {seller_id}, "
        "{case_id}, {asin}, {asins}, {category}, {expected_result}, {operator}, {today} (write {{ or }} for a brace)."]


@pytest.mark.parametrize(("text", "brace"), [("Case {case_id", "{"), ("Case case_id}", "}"), ("a { b", "{"),
                                             ("{{store}", "}")])
def test_a_lone_brace_is_refused_naming_it(text, brace):
    error = refusal(check_template_parts, template(reference=text))
    assert codes(error) == {"reference": ["unmatched_brace"]}
    assert messages(error, "reference") == [
        f"The part “ASIN / Case ID” has a “{brace}” that opens or closes no placeholder; write {brace}{brace} for a "
        f"brace."]


def test_a_template_with_four_parts_and_known_placeholders_can_be_saved():
    assert check_template_parts(A_PLUS_TEMPLATE) is None


@pytest.mark.parametrize("blank", ["", "  \n ", None])
def test_a_template_with_a_blank_part_cannot_be_saved(blank):
    error = refusal(check_template_parts, template(evidence=blank))
    assert codes(error) == {"evidence": ["empty_part"]}
    assert messages(error, "evidence") == ["The part “Evidence” is empty: write what it should say."]


def test_a_template_missing_parts_cannot_be_saved_and_every_problem_is_named_at_once():
    error = refusal(check_template_parts, {"issue_type": "{brand} {x}", "reference": "{case_id"})
    assert codes(error) == {
        "issue_type": ["unknown_placeholder", "unknown_placeholder"], "reference": ["unmatched_brace"],
        "evidence": ["empty_part"], "expected_result": ["empty_part"]}


def test_a_key_that_is_not_a_part_is_a_programming_error():
    with pytest.raises(ValueError, match="subject"):
        check_template_parts(template(subject="Hello"))
    with pytest.raises(ValueError, match="subject"):
        render_template(template(subject="Hello"), A_PLUS_CASE)


# -- refusing a message with a hole in it ---------------------------------------------------------------------
@pytest.mark.parametrize("no_value", [None, "", "   ", []])
def test_a_placeholder_the_case_has_no_value_for_refuses_its_part(no_value):
    error = refusal(render_template, A_PLUS_TEMPLATE, A_PLUS_CASE | {"case_id": no_value})
    assert codes(error) == {"reference": ["missing_value"]}
    assert messages(error, "reference") == [
        "The part “ASIN / Case ID” cannot be filled in: the case has no case id (“{case_id}”)."]


def test_a_case_with_neither_asin_nor_case_id_names_both_missing():
    values = {key: value for key, value in A_PLUS_CASE.items() if key not in ("asin", "case_id")}
    error = refusal(render_template, A_PLUS_TEMPLATE, values)
    assert messages(error, "reference") == [
        "The part “ASIN / Case ID” cannot be filled in: the case has no case id (“{case_id}”).",
        "The part “ASIN / Case ID” cannot be filled in: the case has no ASIN (“{asin}”)."]


def test_a_part_that_renders_blank_is_refused():
    error = refusal(render_template, template(reference="  "), A_PLUS_CASE)
    assert codes(error) == {"reference": ["would_be_empty"]}
    assert messages(error, "reference") == ["The part “ASIN / Case ID” would be empty."]


def test_a_missing_part_is_refused_as_empty_when_rendered():
    parts = {key: value for key, value in A_PLUS_TEMPLATE.items() if key != "evidence"}
    assert codes(refusal(render_template, parts, A_PLUS_CASE)) == {"evidence": ["would_be_empty"]}


def test_every_part_problem_is_named_at_once_when_rendered():
    parts = template(issue_type="{brand}", evidence="{operator}")
    assert codes(refusal(render_template, parts, A_PLUS_CASE)) == {
        "issue_type": ["unknown_placeholder"], "evidence": ["missing_value"]}


def test_placeholders_in_a_text_are_listed_once_in_order():
    assert placeholders_in("{asin} {{store}} {case_id} {asin} {nope}") == ["asin", "case_id", "nope"]
    assert placeholders_in(None) == []


def test_the_refusal_is_in_chinese_for_a_chinese_reader():
    error = refusal(render_template, A_PLUS_TEMPLATE, A_PLUS_CASE | {"case_id": ""})
    with translation.override("zh-hans"):
        assert messages(error, "reference") == ["“ASIN / 工单编号”部分无法填写：该工单没有工单编号（“{case_id}”）。"]


# -- the case categories the templates are kept by --------------------------------------------------------------
def test_the_built_in_categories_are_the_issues_and_other():
    assert [category.code for category in categories.all_built_in()] == [
        "account_health", "listing_removal", "brand_registry", "two_step_verification", "category_approval",
        "a_plus_content", "payments", "other"]
    assert str(categories.built_in("a_plus_content").label) == "A+ content"
    assert categories.built_in("nope") is None


@pytest.mark.parametrize(("code", "valid"), [
    ("ip_complaint", True), ("ab", True), ("a" * 40, True), ("a", False), ("a" * 41, False), ("1abc", False),
    ("IP", False), ("ip-complaint", False), ("ip complaint", False), ("ip\n", False)])
def test_an_agencys_category_code_follows_the_code_rule(code, valid):
    if valid:
        assert categories.category_code_validator(code) is None
    else:
        error = refusal(categories.category_code_validator, code)
        assert f"“{code}” is not a category code" in error.messages[0]
