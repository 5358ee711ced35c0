"""Jixiao scoring engine: pure Python + numpy, no Django.

Plain data in (`types`), plain results out. See docs/scoring.md for the rules.

    province, result = score_records(trees, units, inputs, events)
    result.categories["econ"].units          # ranked UnitScore tuple
    explain(result.categories["econ"], province.data["econ"], "U001").as_text()
    province, result = update_entry(province, result, changed_input)   # incremental
"""

from .columns import CategoryData, LeafColumn, NumberColumn, TextColumn, build_category_data
from .compute import (
    CategoryResult,
    ProvinceData,
    ProvinceResult,
    UnitScore,
    prepare,
    rescore,
    score_category,
    score_province,
    score_records,
    update_entry,
)
from .diff import NodeChange, ResultDiff, UnitChange, diff_results
from .errors import InputError, SchemeError, ScoringError
from .explain import Explanation, ExplanationNode, explain
from .methods import METHODS, FieldSpec, MethodSpec, ParamSpec, get_method, method_choices
from .scheme import CompiledTree, compile_tree, validate_tree
from .types import (
    KIND_LABELS,
    KINDS,
    BonusPenaltyEvent,
    CategoryTree,
    LastYear,
    LeafInput,
    Node,
    UnitInfo,
)

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "METHODS",
    "BonusPenaltyEvent",
    "CategoryData",
    "CategoryResult",
    "CategoryTree",
    "CompiledTree",
    "Explanation",
    "ExplanationNode",
    "FieldSpec",
    "InputError",
    "LastYear",
    "LeafColumn",
    "LeafInput",
    "MethodSpec",
    "Node",
    "NodeChange",
    "NumberColumn",
    "ParamSpec",
    "ProvinceData",
    "ProvinceResult",
    "ResultDiff",
    "SchemeError",
    "ScoringError",
    "TextColumn",
    "UnitChange",
    "UnitInfo",
    "UnitScore",
    "build_category_data",
    "compile_tree",
    "diff_results",
    "explain",
    "get_method",
    "method_choices",
    "prepare",
    "rescore",
    "score_category",
    "score_province",
    "score_records",
    "update_entry",
    "validate_tree",
]
