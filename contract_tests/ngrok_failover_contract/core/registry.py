"""The registry of the properties a server is held to, and what a check raises when one breaks.

Every finding of a run names one `Property`: the suite's own (`properties`, the model, the
paging walk) and the Schemathesis checks the suite runs, by their check names (a name it does
not know becomes a finding of its own, `reporting.findings`). Every planted fault of the
checkout's `mutation/` names the property meant to catch it, and `make mutation` demands
that it is that one.
"""

from __future__ import annotations

import enum

from .exchange import Exchange


class Property(enum.StrEnum):
    # The backend object and read-back (seed: field tables; spec: update semantics).
    BACKEND_HAS_EVERY_FIELD = "backend_has_every_field"
    DESCRIPTION_READS_BACK = "description_reads_back"
    METADATA_READS_BACK = "metadata_reads_back"
    BACKENDS_READS_BACK = "backends_reads_back"
    UPDATE_KEEPS_ABSENT_FIELDS = "update_keeps_absent_fields"
    ID_NEVER_CHANGES = "id_never_changes"
    CREATED_AT_NEVER_CHANGES = "created_at_never_changes"
    ANSWERS_REQUESTED_ID = "answers_requested_id"
    LIST_MATCHES_GET = "list_matches_get"
    # Identity and URIs.
    IDS_ARE_UNIQUE = "ids_are_unique"
    URI_IS_OWN = "uri_is_own"
    LIST_URI_IS_COLLECTION = "list_uri_is_collection"
    # Paging.
    LIMIT_IS_HONOURED = "limit_is_honoured"
    NEXT_PAGE_URI_IS_ABSOLUTE = "next_page_uri_is_absolute"
    LAST_PAGE_HAS_NULL_NEXT = "last_page_has_null_next"
    NO_PAGE_LOOP = "no_page_loop"
    LISTED_EXACTLY_ONCE = "listed_exactly_once"
    EVERY_EXISTING_BACKEND_LISTED = "every_existing_backend_listed"
    LIST_IS_NEWEST_FIRST = "list_is_newest_first"
    # Delete and unknown ids.
    DELETED_BACKEND_NOT_LISTED = "deleted_backend_not_listed"
    GONE_AFTER_DELETE = "gone_after_delete"
    NEVER_CREATED_IS_404 = "never_created_is_404"
    UPDATE_MUST_NOT_CREATE = "update_must_not_create"
    # A valid request gets its documented success; an error says what it is.
    CREATE_ACCEPTS_VALID_INPUT = "create_accepts_valid_input"
    CREATED_BACKEND_IS_AVAILABLE = "created_backend_is_available"
    UPDATE_ANSWERS_200 = "update_answers_200"
    DELETE_ANSWERS_204 = "delete_answers_204"
    LIST_ANSWERS_200 = "list_answers_200"
    ERROR_BODY_MATCHES_STATUS = "error_body_matches_status"
    # The model's frame (seed: each operation acts on the backend its path names) and the
    # refusals it predicts (a refused request changes nothing).
    REFUSED_REQUEST_CHANGES_NOTHING = "refused_request_changes_nothing"
    OPERATION_CHANGES_ONLY_ITS_TARGET = "operation_changes_only_its_target"
    CREATED_AT_IS_CREATION_TIME = "created_at_is_creation_time"
    # Near misses: a key one edit from the key is refused; an id one edit from an id is not it.
    NEAR_MISS_KEY_REFUSED = "near_miss_key_refused"
    NEAR_MISS_ID_NOT_FOUND = "near_miss_id_not_found"
    # Concurrency: some order of a history's operations explains every answer.
    HISTORY_IS_LINEARIZABLE = "history_is_linearizable"
    # Accounts: one account's key neither sees nor changes another account's backends.
    ACCOUNTS_KEPT_APART = "accounts_kept_apart"
    # --require-coverage: every documented status of every operation was seen.
    DOCUMENTED_STATUSES_SEEN = "documented_statuses_seen"
    # Schemathesis's checks, by the names it gives them.
    NOT_A_SERVER_ERROR = "not_a_server_error"
    STATUS_CODE_CONFORMANCE = "status_code_conformance"
    CONTENT_TYPE_CONFORMANCE = "content_type_conformance"
    RESPONSE_HEADERS_CONFORMANCE = "response_headers_conformance"
    RESPONSE_SCHEMA_CONFORMANCE = "response_schema_conformance"
    NEGATIVE_DATA_REJECTION = "negative_data_rejection"
    POSITIVE_DATA_ACCEPTANCE = "positive_data_acceptance"
    MISSING_REQUIRED_HEADER = "missing_required_header"
    UNSUPPORTED_METHOD = "unsupported_method"
    ALLOW_HEADER_CONFORMANCE = "allow_header_conformance"
    IGNORED_AUTH = "ignored_auth"
    USE_AFTER_FREE = "use_after_free"
    ENSURE_RESOURCE_AVAILABILITY = "ensure_resource_availability"
    OBJECT_LEVEL_AUTHORIZATION = "object_level_authorization"
    MAX_RESPONSE_TIME = "max_response_time"


class ContractViolation(AssertionError):
    """A named property of the API that the server under test broke."""

    def __init__(
        self,
        prop: Property,
        message: str,
        exchange: Exchange | None = None,
        subject: str | None = None,
    ) -> None:
        super().__init__(f"[{prop}] {message}")
        self.prop = prop
        self.message = message
        self.exchange = exchange
        self.subject = subject  # the backend it is about, when one is (a listed one, say)
