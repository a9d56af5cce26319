"""The planted faults, one module per family; importing this registers every one of them,
in this order: the order of `make mutation`'s table."""

# isort: off
from . import transport, schema, read_back, update, identity  # noqa: F401
from . import races, delete, paging, input_validation  # noqa: F401
from . import atomicity, near_miss, clocks, accounts  # noqa: F401
# isort: on
