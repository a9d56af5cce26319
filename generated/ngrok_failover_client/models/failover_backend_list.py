from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.failover_backend import FailoverBackend


T = TypeVar("T", bound="FailoverBackendList")


@_attrs_define
class FailoverBackendList:
    """One page of failover backends, newest first.

    Attributes:
        backends (list[FailoverBackend]): the list of all Failover backends on this account
        uri (str): URI of the Failover backends list API resource
        next_page_uri (None | str): URI of the next page, or null if there is no next page. Absolute,
            with `before_id` set to the last id on this page.
    """

    backends: list[FailoverBackend]
    uri: str
    next_page_uri: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        backends = []
        for backends_item_data in self.backends:
            backends_item = backends_item_data.to_dict()
            backends.append(backends_item)

        uri = self.uri

        next_page_uri: None | str
        next_page_uri = self.next_page_uri

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "backends": backends,
                "uri": uri,
                "next_page_uri": next_page_uri,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.failover_backend import FailoverBackend  # noqa: PLC0415

        d = dict(src_dict)
        backends = []
        _backends = d.pop("backends")
        for backends_item_data in _backends:
            backends_item = FailoverBackend.from_dict(backends_item_data)

            backends.append(backends_item)

        uri = d.pop("uri")

        def _parse_next_page_uri(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_page_uri = _parse_next_page_uri(d.pop("next_page_uri"))

        failover_backend_list = cls(
            backends=backends,
            uri=uri,
            next_page_uri=next_page_uri,
        )

        failover_backend_list.additional_properties = d
        return failover_backend_list

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
