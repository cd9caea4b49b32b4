"""The base of the NLU components that train nothing and read each message (typed_choice.py,
letter_reader.py): Rasa builds them with `create` and nothing else."""

from __future__ import annotations

from typing import Any, Dict, Type, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

Component = TypeVar("Component", bound="UntrainedComponent")


class UntrainedComponent(GraphComponent):
    @classmethod
    def create(
        cls: Type[Component],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Component:
        return cls()
