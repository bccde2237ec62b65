"""The compliance context's command-side domain (pure): a month's CTR filing, an STR case's filing."""

from command_service.compliance.domain.cases import StrCase, decide_str_filed, evolve_case
from command_service.compliance.domain.filing import CtrFiling, CtrFilingError, decide_filed, evolve

__all__ = ["CtrFiling", "CtrFilingError", "StrCase", "decide_filed", "decide_str_filed", "evolve", "evolve_case"]
