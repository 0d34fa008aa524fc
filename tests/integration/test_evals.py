"""The eval harness on the real coach, knowledge base and ../shared data: the CI suite
offline with every ablation, a sabotaged component that must lower its score, the
regression comparison, and the language-model mode with the judge through the real
langchain-openai HTTP path (local fake server)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI

from sportsgpt.cli.main import main
from sportsgpt.evals.harness import run_suite
from sportsgpt.evals.report import compare_results, load_results, write_report
from sportsgpt.evals.suite import EvalSuite, load_suite
from sportsgpt.evals.variants import ABLATIONS
from sportsgpt.kb import KnowledgeBase
from tests.fake_openai import fake_openai


@pytest.fixture(scope="module")
def ci_results(kb: KnowledgeBase, shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("eval_ci")
    run_suite(load_suite("ci"), out, kb, shared, ABLATIONS, ["offline"], progress=False)
    return out


def one_case(case_id: str, turns: int = 1) -> EvalSuite:
    suite = load_suite("ci")
    case = next(c for c in suite.cases if c.id == case_id)
    case = case.model_copy(update={"turns": case.turns[:turns]})
    return suite.model_copy(update={"name": f"ci_{case_id}", "cases": [case]})


def test_ci_suite_scores_the_system_and_its_ablations(ci_results: Path) -> None:
    results = load_results(ci_results)
    by = {s.variant: s for s in results.summaries}
    full = by["full"]
    assert full.trajectory_pass == 1.0 and full.errors == 0
    assert full.keyframe_error is not None and full.keyframe_error < 3.0
    assert full.segment_iou is not None and full.segment_iou > 0.6
    assert full.f1 is not None and full.f1 >= 0.7
    assert full.hit_at_5 == 1.0 and full.drills_dosed_cited == 1.0
    assert full.citations_known == 1.0 and full.problems_with_evidence == 1.0
    # the paper's ablations, measured: each removed component costs its own score
    assert by["one_stage"].keyframe_error is not None and by["one_stage"].keyframe_error > 20
    assert (by["one_stage"].segment_iou or 0) < 0.3
    assert by["no_kismam"].f1 == 0.0
    assert (by["no_kismam"].citations_relevant or 0) < (full.citations_relevant or 0)
    assert by["no_retrieval"].hit_at_5 == 0.0 and by["no_retrieval"].drills_dosed_cited == 0.0
    # every trace is stored with its tool calls, timings and events
    trace = json.loads((ci_results / "traces/full/offline/jump_no_arm_backswing.json").read_text())
    first = trace["turns"][0]
    assert [c["tool"] for c in first["tool_calls"]][:2] == ["extract_pose", "assess_motion"]
    assert all(c["ms"] >= 0 for c in first["tool_calls"]) and first["events"]
    assert len(trace["turns"]) == 3 and trace["turns"][2]["intent"] == "adapt"
    truth = json.loads((ci_results / "cases/jump_no_arm_backswing/truth.json").read_text())
    assert truth["truth"]["injected"] == "no_arm_backswing" and truth["truth"]["events"]


def test_report_has_every_section_and_the_plots(
    ci_results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "report", str(ci_results), "--json"]) == 0
    written = [Path(p) for p in json.loads(capsys.readouterr().out)]
    assert {p.name for p in written} >= {"report.md", "report.html", "report.json",
                                         "ablations.png", "cost_per_stage.png"}  # fmt: skip
    text = (ci_results / "report.md").read_text()
    for section in ("Ablations (offline)", "Alignment", "Diagnosis", "Retrieval", "Guidance",
                    "Trajectories", "Cost"):  # fmt: skip
        assert f"## {section}" in text
    assert "n/a" in text  # the judge's columns, offline
    payload = json.loads((ci_results / "report.json").read_text())
    assert payload["ablations"]["offline"][0]["system"].startswith("SportsGPT")
    assert "data:image/png;base64," in (ci_results / "report.html").read_text()


def test_a_sabotaged_component_makes_its_score_drop(
    kb: KnowledgeBase, shared: Path, tmp_path: Path
) -> None:
    suite = one_case("jump_no_arm_backswing")
    summaries = run_suite(suite, tmp_path, kb, shared, ["full", "keyframes_shifted"], ["offline"],
                          progress=False)  # fmt: skip
    full, shifted = summaries
    assert full.keyframe_error is not None and shifted.keyframe_error is not None
    assert shifted.keyframe_error >= full.keyframe_error + 5


def test_compare_flags_a_regression(ci_results: Path, tmp_path: Path) -> None:
    worse = tmp_path / "worse"
    shutil.copytree(ci_results, worse)
    summaries = json.loads((worse / "summary.json").read_text())
    summaries[0]["f1"] = round(summaries[0]["f1"] - 0.2, 4)
    (worse / "summary.json").write_text(json.dumps(summaries))
    assert not [c for c in compare_results(ci_results, ci_results) if c.worse]
    flagged = [c for c in compare_results(ci_results, worse) if c.worse]
    assert [(c.variant, c.measure) for c in flagged] == [(summaries[0]["variant"], "f1")]
    assert main(["eval", "compare", str(ci_results), str(worse)]) == 1
    assert main(["eval", "compare", str(ci_results), str(ci_results)]) == 0
    assert main(["eval", "report", str(tmp_path / "nothing")]) == 1  # a clear error, no trace


def test_llm_mode_and_judge_side_by_side(kb: KnowledgeBase, shared: Path, tmp_path: Path) -> None:
    verdict = json.dumps({"accuracy": 4, "feasibility": 3, "reason": "specific and dosed"})
    script = [
        ("text", verdict),  # judge of the offline answer
        ("text", "no plan"),  # the model's reading and plan: not a ModelTurn, the rules plan
        ("text", "I will not call tools"),  # the model's act step: no tool call
        ("text", "junk"), ("text", "junk"),  # compose twice: fails verification
        ("text", "not json at all"),  # judge of the llm-mode answer: unusable
    ]  # fmt: skip
    with fake_openai(script) as fake:
        model = ChatOpenAI(model="fake", base_url=fake.url, api_key="test",  # type: ignore[arg-type]
                           timeout=30, max_retries=0)  # fmt: skip
        summaries = run_suite(one_case("jump_no_arm_backswing"), tmp_path, kb, shared, ["full"],
                              ["offline", "llm"], model=model, judge=model,
                              progress=False)  # fmt: skip
    offline, llm = summaries
    assert offline.judged == 1 and offline.judge_accuracy == 4 and offline.judge_feasibility == 3
    assert llm.judged == 0 and llm.judge_accuracy is None  # a junk verdict is not guessed
    assert llm.llm_calls_per_answer >= 2 and llm.tokens_per_answer > 0
    assert offline.llm_calls_per_answer == 0
    # the deterministic path took over, so the answer still holds the diagnosis
    assert llm.f1 == offline.f1 and llm.drills_dosed_cited == 1.0
    write_report(tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert "## Offline vs language model (full system)" in text and "## Ablations (llm)" in text
    score = json.loads((tmp_path / "scores/full/llm/jump_no_arm_backswing.json").read_text())
    assert score["judge"]["error"].startswith("unusable reply")
    assert score["judge"]["prompt_version"] == 1
    trace = json.loads((tmp_path / "traces/full/llm/jump_no_arm_backswing.json").read_text())
    exchanges = trace["turns"][0]["llm_exchanges"]
    assert [e["reply"] for e in exchanges] == ["no plan", "I will not call tools", "junk", "junk"]
    assert exchanges[1]["messages_sent"] >= 2 and exchanges[1]["last_sent"]["content"]
