"""Contains all the data models used in inputs/outputs"""

from .create_failover_backend_ngrok_version import CreateFailoverBackendNgrokVersion
from .delete_failover_backend_ngrok_version import DeleteFailoverBackendNgrokVersion
from .error import Error
from .error_details import ErrorDetails
from .failover_backend import FailoverBackend
from .failover_backend_create import FailoverBackendCreate
from .failover_backend_list import FailoverBackendList
from .failover_backend_update import FailoverBackendUpdate
from .get_failover_backend_ngrok_version import GetFailoverBackendNgrokVersion
from .list_failover_backends_ngrok_version import ListFailoverBackendsNgrokVersion
from .update_failover_backend_ngrok_version import UpdateFailoverBackendNgrokVersion

__all__ = (
    "CreateFailoverBackendNgrokVersion",
    "DeleteFailoverBackendNgrokVersion",
    "Error",
    "ErrorDetails",
    "FailoverBackend",
    "FailoverBackendCreate",
    "FailoverBackendList",
    "FailoverBackendUpdate",
    "GetFailoverBackendNgrokVersion",
    "ListFailoverBackendsNgrokVersion",
    "UpdateFailoverBackendNgrokVersion",
)
