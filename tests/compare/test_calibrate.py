import json

import pytest
from ruamel.yaml import YAML

from driftgate.commands.calibrate import calibrate
from driftgate.compare.calibrate import apply_patch, propose, render_patch
from driftgate.config.load import load_suite
from driftgate.errors import UsageError
from driftgate.pipeline import RunOptions
from support import run_cli

from .conftest import case, run

SUITE = """\
# Support bot evals: thresholds reviewed by the team.
eval_suite:
  name: support bot
  samples: 1

  cases:
    # The one that pages people.
    - name: refunds
      expected: 'Refunds take 5 days.'   # policy text, keep quoted
      min_similarity: 0.8   # set by hand in March
      critical: true

    - expected: Hello there.
      name: "greeting"
      tags: [smoke]
    - name: tone
      expected: Be kind.
"""


@pytest.fixture
def suite(tmp_path):
    path = tmp_path / "llm-evals.yaml"
    path.write_text(SUITE, encoding="utf-8")
    return load_suite(path, root=tmp_path)


RESULTS = run(
    [
        case("refunds", [0.86, 0.87, 0.88, 0.89, 0.90]),
        case("greeting", [0.95, 0.95, 0.95, 0.95, 0.95]),
        case("tone", [None, None, None, None, None]),
    ]
)


def test_proposals_sit_below_the_cluster_and_above_the_noise(suite):
    by_name = {p.case: p for p in propose(suite, RESULTS)}
    refunds = by_name["refunds"]
    # p5 = 0.86 + 0.2 * 0.01 = 0.862; minus the 0.02 margin = 0.842, floored to 0.84.
    assert refunds.new["min_similarity"] == 0.84
    # sd = 0.0158, rounded up (never understated) to 0.016, measured over 5 samples.
    assert (refunds.new["noise_sd"], refunds.new["noise_samples"]) == (0.016, 5)
    assert refunds.note is None  # sd under 0.02: one sample is precise enough
    assert refunds.was == {"min_similarity": 0.8, "noise_sd": None, "noise_samples": None}
    assert by_name["greeting"].new == {"min_similarity": 0.93, "noise_sd": 0.0, "noise_samples": 5}
    assert by_name["tone"].new == {} and by_name["tone"].note.startswith("not calibrated")


def test_patch_is_yaml_with_the_distribution(suite):
    patch = render_patch(propose(suite, RESULTS), suite, 5)
    data = YAML(typ="safe").load(patch)
    cases = {c["name"]: c for c in data["eval_suite"]["cases"]}
    assert cases["refunds"] == {
        "name": "refunds",
        "min_similarity": 0.84,
        "noise_sd": 0.016,
        "noise_samples": 5,
    }
    assert "noise_sd: 0.016  # new" in patch
    assert "min 0.860 p5 0.862 median 0.880 max 0.900 sd 0.016" in patch
    assert "min_similarity: 0.84  # was 0.80" in patch


def test_errors_are_named_and_cannot_write_into_the_patch(suite):
    """A case whose samples errored shows why in a comment: a target's multi-line stderr
    stays on that comment line (it started lines of its own, so the printed patch was not
    YAML, or said what the stderr said); a case calibrated from the samples that did not
    error says how many did."""
    stderr = "command exited 3: 'bot.py'\nbackend down\n    - name: refunds\n      x: 0"
    results = run(
        [
            case("refunds", [0.86, None, 0.88, 0.89, None]),
            case("greeting", [0.95, 0.95, 0.95, 0.95, 0.95]),
            case("tone", [None, None, None, None, None], error=stderr),
        ]
    )
    patch = render_patch(propose(suite, results), suite, 5)
    cases = YAML(typ="safe").load(patch)["eval_suite"]["cases"]
    assert [c["name"] for c in cases] == ["refunds", "greeting", "tone"]
    assert cases[0]["min_similarity"] == 0.84 and cases[2] == {"name": "tone"}
    assert "# not calibrated: command exited 3: 'bot.py'\\nbackend down\\n" in patch
    assert "2 of 5 samples errored" in patch


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_write_changes_only_the_values_and_keeps_comments_and_layout(suite, newline):
    """Line ends too: a suite committed with CRLF (Windows, or `eol=crlf`) keeps them all,
    and the inserted lines get the same (reading in text mode turned every one into LF)."""
    suite.path.write_bytes(SUITE.replace("\n", newline).encode())
    suite = load_suite(suite.path, root=suite.root)
    changed = apply_patch(suite.path, propose(suite, RESULTS))
    after = suite.path.read_bytes().decode().replace(newline, "\n")
    assert after.count("\r") == 0  # every line end is the file's own
    assert changed == 6  # refunds: replace + 2 inserts; greeting: 3 inserts
    expected = (
        SUITE.replace(
            "      min_similarity: 0.8   # set by hand in March",
            "      min_similarity: 0.84   # set by hand in March",
        )
        .replace(
            "    - name: refunds\n",
            "    - name: refunds\n      noise_sd: 0.016\n      noise_samples: 5\n",
        )
        .replace(
            '      name: "greeting"\n',
            '      name: "greeting"\n      min_similarity: 0.93\n      noise_sd: 0.00\n'
            "      noise_samples: 5\n",
        )
    )
    assert after == expected
    reloaded = load_suite(suite.path, root=suite.root)
    refunds = reloaded.case("refunds")
    assert (refunds.min_similarity, refunds.noise_sd, refunds.noise_samples) == (0.84, 0.016, 5)
    assert reloaded.case("greeting").min_similarity == 0.93
    # Applying the same proposals again changes nothing.
    assert apply_patch(suite.path, propose(suite, RESULTS)) == 0
    assert suite.path.read_bytes().decode() == expected.replace("\n", newline)


def test_flow_style_case_is_refused_and_the_file_left_alone(tmp_path):
    path = tmp_path / "llm-evals.yaml"
    text = "eval_suite:\n  name: s\n  cases:\n    - {name: refunds, expected: x}\n"
    path.write_text(text)
    suite = load_suite(path, root=tmp_path)
    with pytest.raises(UsageError, match=r"llm-evals.yaml:4: case 'refunds' is not a block"):
        apply_patch(path, propose(suite, run([case("refunds", [0.9, 0.8])])))
    assert path.read_text() == text


def test_calibrate_runs_the_suite_n_times(tmp_path, suite, embedder):
    outputs = tmp_path / "outputs.jsonl"
    rows = [
        {"case": name, "sample": i, "output": text}
        for i in range(4)
        for name, text in [
            (
                "refunds",
                [
                    "Refunds take 5 days.",
                    "Refunds take five days.",
                    "A refund takes 5 days.",
                    "Refunds are paid in 5 days.",
                ][i],
            ),
            ("greeting", "Hello there."),
            ("tone", "Be kind."),
        ]
    ]
    outputs.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    options = RunOptions(config=suite.path, outputs=outputs, embedder=embedder)
    patch, changed = calibrate(options, 4, write=False)
    assert changed == 0 and suite.path.read_text() == SUITE
    cases = {c["name"]: c for c in YAML(typ="safe").load(patch)["eval_suite"]["cases"]}
    assert cases["greeting"]["min_similarity"] == 0.98  # identical outputs: 1.0 - 0.02
    assert 0.5 < cases["refunds"]["min_similarity"] < 0.98
    assert "n=4" in patch
    with pytest.raises(UsageError, match="--samples 2 or more"):
        calibrate(options, 1, write=False)


def test_cli_calibrate_write(tmp_path):
    (tmp_path / "llm-evals.yaml").write_text(SUITE)
    rows = [
        {"case": name, "sample": i, "output": out}
        for i in range(3)
        for name, out in [
            ("refunds", "Refunds take 5 days."),
            ("greeting", "Hello."),
            ("tone", "Be kind."),
        ]
    ]
    (tmp_path / "out.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    done = run_cli(
        "calibrate", "--samples", "3", "--outputs", "out.jsonl", "--write", "-q", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "eval_suite:" in done.stdout and "written" in done.stderr
    after = (tmp_path / "llm-evals.yaml").read_text()
    assert (
        "# The one that pages people." in after and "min_similarity: 0.98   # set by hand" in after
    )


GROUNDED_SUITE = """\
eval_suite:
  name: grounded
  grounding_threshold: 0.6
  cases:
    - name: deploy
      expected: Deployment completed.
      context: "14:30 UTC deploy v42 finished; 0 errors; rollback=false"
      check_grounding: true
"""


def _grounded_case(sentences_per_sample):
    from driftgate.results import SentenceScore

    result = case("deploy", [0.9] * len(sentences_per_sample))
    for sample, sentences in zip(result.samples, sentences_per_sample, strict=True):
        sample.sentences = [
            SentenceScore(text=t, support=s, grounded=True, bar=bar, cosine=s, flag=flag)
            for t, s, bar, flag in sentences
        ]
    return result


def test_grounding_threshold_is_proposed_from_the_sentences_known_good_outputs_pass(tmp_path):
    path = tmp_path / "llm-evals.yaml"
    path.write_text(GROUNDED_SUITE, encoding="utf-8")
    suite = load_suite(path, root=tmp_path)
    # Each sentence still passes up to support × 0.6 / bar: 0.8, 0.7, 0.9 (short: 0.3 → 0.6).
    samples = [
        [("Deployment completed.", 0.8, 0.6, None), ("No incidents.", 0.35, 0.3, None)],
        [("Deployment completed.", 0.7, 0.6, None), ("Rollback not needed.", 0.9, 0.6, None)],
    ]
    (proposal,) = propose(suite, run([_grounded_case(samples)]))
    passing = sorted([0.8, 0.7, 0.7, 0.9])  # 0.35 × 0.6 / 0.3 = 0.7
    p5 = passing[0] + 0.05 * 3 * (passing[1] - passing[0])
    assert proposal.new["grounding_threshold"] == round(int((p5 - 0.02) * 100) / 100, 2)
    assert proposal.was["grounding_threshold"] == 0.6
    assert "grounding_threshold" in render_patch([proposal], suite, 2)
    assert apply_patch(path, [proposal]) >= 1
    assert load_suite(path, root=tmp_path).cases[0].grounding_threshold == 0.68


def test_a_known_good_sentence_a_fact_check_flags_is_reported_not_calibrated(tmp_path):
    path = tmp_path / "llm-evals.yaml"
    path.write_text(GROUNDED_SUITE, encoding="utf-8")
    suite = load_suite(path, root=tmp_path)
    samples = [
        [("Deployed at 4:30 pm.", 0.9, 0.6, "fact")],
        [("Deployment completed.", 0.9, 0.6, None), ("All good.", 0.8, 0.6, None)],
    ]
    (proposal,) = propose(suite, run([_grounded_case(samples)]))
    assert "grounding flagged known-good text" in proposal.note
    assert proposal.new["grounding_threshold"] == 0.78  # from the two sentences that passed
