from __future__ import annotations

from plugins.complaints.intake.matching import normalize, score, suggest

UNITS = [(1, "台怀镇人民政府"), (2, "金岗库乡人民政府"), (3, "五台山风景名胜区财政局"), (4, "台怀镇财政所")]


def test_government_variants_match():
    assert normalize("台怀镇政府") == normalize("台怀镇人民政府")
    assert suggest("台怀镇政府", UNITS)[0][1] == "台怀镇人民政府"
    assert suggest("金岗库镇政府", UNITS)[0][1] == "金岗库乡人民政府"


def test_character_overlap_ranks_and_filters():
    assert score("财政局", "五台山风景名胜区财政局") > score("财政局", "台怀镇人民政府")
    assert suggest("完全无关的名字", UNITS) == []
