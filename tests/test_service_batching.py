"""Concurrent small requests tagged in one model call, with the results of tagging each alone."""

from __future__ import annotations

import threading

import pytest

from service.batching import Batcher

PARAGRAPHS = ["建成工会驿站24家。", "今年以来，全市新发展货车司机会员243人。",
              "市总工会举办职工职业技能大赛，600余名职工参赛。", "律师为农民工讨薪提供法律援助。"]
# About 1,500 characters: slow enough to tag that requests pile up behind it.
ARTICLE = "\n".join(PARAGRAPHS * 30)


def together(batcher: Batcher, model, calls: list[tuple]) -> list:
    """Run ``batcher.tag(model, texts, min_score)`` for every call at once; results or errors."""
    outcomes = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int, texts, min_score) -> None:
        start.wait()
        try:
            outcomes[i] = batcher.tag(model, texts, min_score)
        except Exception as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def alone(model, texts, min_score=None) -> list[dict]:
    return [result.to_dict() for result in model.tag(texts, min_score=min_score)]


def test_requests_that_arrive_together_share_model_calls(model):
    batcher = Batcher()
    calls = [([ARTICLE, text], None) for text in PARAGRAPHS * 2]
    outcomes = together(batcher, model, calls)
    assert batcher.batches < len(calls)
    for (texts, _), results in zip(calls, outcomes, strict=True):
        assert [r.to_dict() for r in results] == alone(model, texts)


def test_requests_with_other_min_scores_are_tagged_apart(model):
    calls = [([ARTICLE], None), ([ARTICLE], 0.9), ([ARTICLE], None), ([ARTICLE], 0.99)]
    outcomes = together(Batcher(), model, calls)
    for (texts, min_score), results in zip(calls, outcomes, strict=True):
        assert [r.to_dict() for r in results] == alone(model, texts, min_score)


def test_one_failing_request_does_not_fail_the_others(model):
    calls = [([ARTICLE], None), ([b"bytes"], None), ([PARAGRAPHS[0]], None), ([ARTICLE], None)]
    outcomes = together(Batcher(), model, calls)
    assert isinstance(outcomes[1], TypeError)
    for i in (0, 2, 3):
        assert [r.to_dict() for r in outcomes[i]] == alone(model, calls[i][0])


def test_a_lone_request_is_tagged_at_once_on_its_thread(model):
    batcher = Batcher()
    assert [r.to_dict() for r in batcher.tag(model, PARAGRAPHS)] == alone(model, PARAGRAPHS)
    assert batcher.batches == 1


@pytest.mark.parametrize(("max_texts", "max_chars"), [(2, 4000), (64, 10)])
def test_large_requests_skip_the_queue(model, max_texts, max_chars):
    batcher = Batcher(max_texts=max_texts, max_chars=max_chars)
    assert [r.to_dict() for r in batcher.tag(model, PARAGRAPHS)] == alone(model, PARAGRAPHS)
    assert batcher.batches == 0


def test_error_of_a_lone_request_is_raised(model):
    with pytest.raises(TypeError):
        Batcher().tag(model, [b"bytes"])
