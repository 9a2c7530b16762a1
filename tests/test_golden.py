"""Golden records: each fixture spec generates exactly the committed package."""

from __future__ import annotations

import pytest

from tests.golden_support import GOLDEN, REGENERATE, generate_in_memory, golden_specs, read_tree, tree_diff

SPECS = golden_specs()


def test_every_fixture_has_a_golden_record() -> None:
    assert SPECS, "no fixture specs found"
    recorded = {path.name for path in GOLDEN.iterdir() if path.is_dir()}
    assert recorded == {spec.stem for spec in SPECS}, f"golden folders out of date: run {REGENERATE}"


@pytest.mark.parametrize("spec", SPECS, ids=[spec.stem for spec in SPECS])
def test_generated_package_matches_golden_record(spec) -> None:
    generated = generate_in_memory(spec)
    golden = read_tree(GOLDEN / spec.stem)
    diff = tree_diff(golden, generated)
    if diff:
        pytest.fail(f"generated output differs from {GOLDEN / spec.stem}:\n{diff[:20000]}\nIf intended, run: {REGENERATE}")
