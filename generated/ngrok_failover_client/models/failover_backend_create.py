from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FailoverBackendCreate")


@_attrs_define
class FailoverBackendCreate:
    """The body of a create request.

    Attributes:
        backends (list[str]): the ids of the child backends in order. ngrok refuses too many children
            (`ERR_NGROK_6513`) without saying how many; 100 is this project's number.
        description (str | Unset): human-readable description of this backend. Optional
        metadata (str | Unset): arbitrary user-defined machine-readable data of this backend. Optional
    """

    backends: list[str]
    description: str | Unset = UNSET
    metadata: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        backends = self.backends

        description = self.description

        metadata = self.metadata

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "backends": backends,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        backends = cast(list[str], d.pop("backends"))

        description = d.pop("description", UNSET)

        metadata = d.pop("metadata", UNSET)

        failover_backend_create = cls(
            backends=backends,
            description=description,
            metadata=metadata,
        )

        return failover_backend_create
