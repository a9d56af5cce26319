from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="FailoverBackend")


@_attrs_define
class FailoverBackend:
    """A failover backend. Fields beyond these six may be added by ngrok
    within API version 2, so the object is not closed.

        Attributes:
            id (str): A failover backend id, `bkdfo_` and 27 base62 characters (a KSUID, so ids sort by creation time).
            uri (str): URI of the FailoverBackend API resource, absolute, ending in its id.
            created_at (datetime.datetime): timestamp when the backend was created, RFC 3339 format (UTC, whole seconds).
            description (str): human-readable description of this backend. Optional
            metadata (str): arbitrary user-defined machine-readable data of this backend. Optional
            backends (list[str]): the ids of the child backends in order. ngrok refuses too many children
                (`ERR_NGROK_6513`) without saying how many; 100 is this project's number.
    """

    id: str
    uri: str
    created_at: datetime.datetime
    description: str
    metadata: str
    backends: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        uri = self.uri

        created_at = self.created_at.isoformat()

        description = self.description

        metadata = self.metadata

        backends = self.backends

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "uri": uri,
                "created_at": created_at,
                "description": description,
                "metadata": metadata,
                "backends": backends,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        uri = d.pop("uri")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        description = d.pop("description")

        metadata = d.pop("metadata")

        backends = cast(list[str], d.pop("backends"))

        failover_backend = cls(
            id=id,
            uri=uri,
            created_at=created_at,
            description=description,
            metadata=metadata,
            backends=backends,
        )

        failover_backend.additional_properties = d
        return failover_backend

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
