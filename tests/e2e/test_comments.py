"""The comment thread in a real browser: post, edit and delete in place with JavaScript
on (no page load), and post with it off (plain POST and redirect)."""

import pytest
from django.urls import reverse

from comments.models import Comment, CommentEdit
from tests.e2e.test_journeys import assert_same_page, mark_page
from tests.predictions.factories import ForecastFactory, PredictionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCRIPT = '<script>window.__pwned = 1</script>"><img src=x onerror="window.__pwned = 2">'


def own_prediction(user):
    prediction = PredictionFactory(owner=user, question="GPT-4 will be announced this week")
    ForecastFactory(prediction=prediction)
    return prediction


def test_post_edit_and_delete_a_comment_in_place(page, logged_in):
    prediction = own_prediction(logged_in)
    page.goto(reverse("predictions:detail", args=[prediction.pk]))
    mark_page(page)
    thread = page.locator("#comments")
    assert thread.get_by_text("forecast 70%").is_visible()

    thread.get_by_label("Your comment").fill("Surely a slip " + SCRIPT)
    thread.get_by_role("button", name="Post comment").click()
    page.get_by_text("Comment posted.").wait_for()
    comment = Comment.objects.get()
    item = page.locator(f"#comment-{comment.pk}")
    assert item.get_by_text("Surely a slip <script>").is_visible()  # shown as text
    assert page.evaluate("() => window.__pwned") is None
    assert thread.get_by_label("Your comment").input_value() == ""

    item.get_by_role("link", name="Edit your comment").click()
    editing = item.get_by_label("Your comment")
    assert editing.input_value() == "Surely a slip " + SCRIPT
    editing.fill("Surely a slip, I say")
    item.get_by_role("button", name="Save comment").click()
    page.get_by_text("Comment saved.").wait_for()
    assert item.get_by_text("Surely a slip, I say").is_visible()
    assert item.get_by_role("link", name="edited").is_visible()
    assert list(CommentEdit.objects.values_list("old_body", flat=True)) == [
        "Surely a slip " + SCRIPT
    ]

    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="Delete your comment").click()
    page.get_by_text("Comment deleted.").wait_for()
    assert item.get_by_text("Comment deleted").is_visible()
    assert page.get_by_text("Surely a slip").count() == 0
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert_same_page(page)  # all three in place
    assert page.evaluate("() => window.__pwned") is None
    page.console.assert_clean()


def test_post_a_comment_without_javascript(no_js_page, logged_in):
    page = no_js_page
    prediction = own_prediction(logged_in)
    page.goto(reverse("predictions:detail", args=[prediction.pk]))
    page.get_by_label("Your comment").fill("   ")  # passes the browser's `required`, not ours
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert page.get_by_text("Write something before posting.").is_visible()
    assert not Comment.objects.exists()
    page.get_by_label("Your comment").fill("Posted the old way")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get()
    assert page.url.endswith(
        reverse("predictions:detail", args=[prediction.pk]) + f"#comment-{comment.pk}"
    )
    assert page.get_by_text("Comment posted.").is_visible()
    assert page.locator(f"#comment-{comment.pk}").get_by_text("Posted the old way").is_visible()
