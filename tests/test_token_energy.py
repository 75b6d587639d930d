"""Token-energy presets against the published numbers they cite."""

import pytest

from computeatlas import presets

J_PER_MWH = 3.6e9
WH_PER_MWH = 1e6


def _j_per_token(name):
    return presets.token_energy(name).mwh_per_mtoken * J_PER_MWH / 1e6


@pytest.mark.parametrize(
    ("name", "published_j"),
    [
        ("h100_8b_batch64", 0.12),  # ML.ENERGY longitudinal post: 0.20 J -> 0.12 J
        ("b200_qwen3_32b_batch512", 0.151),  # ML.ENERGY v3.0 case-study table
        ("b200_qwen3_32b_batch128", 0.209),
        ("b200_qwen3_235b_a22b_reasoning", 0.4),  # "~0.4 J/token"
    ],
)
def test_ml_energy_presets_are_the_published_joules_per_token(name, published_j):
    assert _j_per_token(name) == pytest.approx(published_j, rel=1e-6)


def test_qwen3_32b_table_is_self_consistent():
    # Same table: 95 J per response over a mean 627 output tokens at the max batch size.
    assert 95.0 / 627.0 == pytest.approx(_j_per_token("b200_qwen3_32b_batch512"), rel=0.01)
    assert _j_per_token("b200_qwen3_32b_batch512") < _j_per_token("b200_qwen3_32b_batch128")


def test_epoch_query_with_its_pue_and_tokens_is_0301_wh():
    # Epoch AI spreadsheet: 1071 W x 1.01 s GPU time = 0.301 Wh per 500-token query at PUE 1.2.
    it_wh_per_query = presets.token_energy("epoch_gpt4o_query").mwh_per_mtoken * 500 / 1e6
    assert it_wh_per_query * WH_PER_MWH * 1.2 == pytest.approx(0.301, rel=1e-6)
    assert 1275 * 0.7 * 1.2 == pytest.approx(1071, abs=0.5)  # the spreadsheet's power chain


def test_gemini_prompt_with_overhead_and_assumed_tokens_is_024_wh():
    preset = presets.token_energy("google_gemini_median_prompt")
    wh_per_prompt = preset.mwh_per_mtoken * 500 / 1e6 * WH_PER_MWH / (1 - 0.08)
    assert wh_per_prompt == pytest.approx(0.24, rel=1e-6)
    assert "ASSUMED" in preset.description and "overhead" in preset.description


@pytest.mark.parametrize("name", presets.names("token_energy"))
def test_every_preset_cites_a_source_and_states_its_basis(name):
    preset = presets.token_energy(name)
    assert "http" in preset.source or "arXiv:" in preset.source
    assert preset.description
    per_query = "query" in name or "prompt" in name
    if per_query:  # energy per query: the tokens-per-query assumption is stated
        assert "500" in preset.description and "500" in preset.source
    else:
        assert "GPU energy only" in preset.source
