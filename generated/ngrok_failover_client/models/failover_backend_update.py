from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FailoverBackendUpdate")


@_attrs_define
class FailoverBackendUpdate:
    """The body of an update request; an absent field keeps its stored value.

    Attributes:
        id (str | Unset): The path's id, which ngrok's OpenAPI file also declares in this body and
            ngrok's JavaScript client sends. It never changes: leave it out or send the
            path's own id. ngrok documents no answer to another id; the reference
            server refuses it (400, `ERR_NGROK_215`), others may ignore it.
        description (str | Unset): human-readable description of this backend. Optional
        metadata (str | Unset): arbitrary user-defined machine-readable data of this backend. Optional
        backends (list[str] | Unset): the ids of the child backends in order. ngrok refuses too many children
            (`ERR_NGROK_6513`) without saying how many; 100 is this project's number.
    """

    id: str | Unset = UNSET
    description: str | Unset = UNSET
    metadata: str | Unset = UNSET
    backends: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        description = self.description

        metadata = self.metadata

        backends: list[str] | Unset = UNSET
        if not isinstance(self.backends, Unset):
            backends = self.backends

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if description is not UNSET:
            field_dict["description"] = description
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if backends is not UNSET:
            field_dict["backends"] = backends

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        description = d.pop("description", UNSET)

        metadata = d.pop("metadata", UNSET)

        backends = cast(list[str], d.pop("backends", UNSET))

        failover_backend_update = cls(
            id=id,
            description=description,
            metadata=metadata,
            backends=backends,
        )

        return failover_backend_update
