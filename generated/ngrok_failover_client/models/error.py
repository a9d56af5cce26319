from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_details import ErrorDetails


T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """The body of every 4xx and 5xx answer.

    Attributes:
        status_code (int): The HTTP status of the answer.
        msg (str): What went wrong, for a person.
        details (ErrorDetails): Further facts, such as the `operation_id` of the request.
        error_code (str | Unset): ngrok's error code, such as `ERR_NGROK_6514`; may be absent.
    """

    status_code: int
    msg: str
    details: ErrorDetails
    error_code: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status_code = self.status_code

        msg = self.msg

        details = self.details.to_dict()

        error_code = self.error_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status_code": status_code,
                "msg": msg,
                "details": details,
            }
        )
        if error_code is not UNSET:
            field_dict["error_code"] = error_code

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_details import ErrorDetails  # noqa: PLC0415

        d = dict(src_dict)
        status_code = d.pop("status_code")

        msg = d.pop("msg")

        details = ErrorDetails.from_dict(d.pop("details"))

        error_code = d.pop("error_code", UNSET)

        error = cls(
            status_code=status_code,
            msg=msg,
            details=details,
            error_code=error_code,
        )

        error.additional_properties = d
        return error

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
