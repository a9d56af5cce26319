"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .error_details import ErrorDetails
from .failover_backend import FailoverBackend
from .failover_backend_create import FailoverBackendCreate
from .failover_backend_list import FailoverBackendList
from .failover_backend_update import FailoverBackendUpdate
from .ngrok_version import NgrokVersion

__all__ = (
    "Error",
    "ErrorDetails",
    "FailoverBackend",
    "FailoverBackendCreate",
    "FailoverBackendList",
    "FailoverBackendUpdate",
    "NgrokVersion",
)
