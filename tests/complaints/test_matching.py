from __future__ import annotations

from plugins.complaints.intake.matching import normalize


def test_government_variants_compare_equal():
    assert normalize("台怀镇政府") == normalize("台怀镇人民政府")
    assert normalize("景区住建局") == normalize("风景名胜区规划建设局")
    assert normalize("五台山城投") != normalize("五台山城投供水有限公司")
