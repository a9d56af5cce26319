from enum import StrEnum


class UpdateFailoverBackendNgrokVersion(StrEnum):
    V2 = "2"

    def __str__(self) -> str:
        return str(self.value)
