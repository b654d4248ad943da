"""A leader's coaching journey: the engagement, its chemistry calls, contracting and contract.

Django finds an app's models in its `models` module: each model class is imported here."""

from engagements.models.contracts import Acceptance, ContractingSession, ContractTemplate, ContractVersion, Objective
from engagements.models.engagement import ChemistryCall, Engagement

__all__ = [
    "Acceptance", "ChemistryCall", "ContractingSession", "ContractTemplate", "ContractVersion", "Engagement", "Objective",
]
