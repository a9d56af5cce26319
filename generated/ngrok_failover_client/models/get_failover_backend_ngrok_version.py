from enum import StrEnum


class GetFailoverBackendNgrokVersion(StrEnum):
    V2 = "2"

    def __str__(self) -> str:
        return str(self.value)
