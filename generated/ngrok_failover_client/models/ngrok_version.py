from enum import StrEnum


class NgrokVersion(StrEnum):
    VALUE_0 = "2"

    def __str__(self) -> str:
        return str(self.value)
