// A thin typed layer over openapi-fetch: the types come from ./generated/schema.ts, written by
// `make generate` from spec/failover.openapi.yaml; this file adds only what the spec cannot say
// (the two headers on every call, the page walk, one error type).
import createClient, { type Client } from "openapi-fetch";

import type {
  Error as ErrorBody,
  FailoverBackend,
  FailoverBackendCreate,
  FailoverBackendList,
  FailoverBackendUpdate,
  paths,
} from "./generated/schema.js";

export type {
  BackendId,
  Error as ErrorBody,
  FailoverBackend,
  FailoverBackendCreate,
  FailoverBackendId,
  FailoverBackendList,
  FailoverBackendUpdate,
  components,
  operations,
  paths,
} from "./generated/schema.js";

/** The query of a list call: `before_id` and `limit` (a string of 1 to 100, as ngrok types it). */
export type ListQuery = NonNullable<
  paths["/backends/failover"]["get"]["parameters"]["query"]
>;

export interface FailoverClientOptions {
  /** The fetch to send requests with (a proxy, a test double); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** Every 4xx and 5xx answer, with ngrok's error body when it sent one. */
export class FailoverApiError extends Error {
  override readonly name = "FailoverApiError";
  readonly status: number;
  /** ngrok's error code, such as `ERR_NGROK_6514`; undefined when the body has none. */
  readonly errorCode: string | undefined;
  /** The parsed error body; undefined when the answer was not ngrok's error JSON. */
  readonly body: ErrorBody | undefined;
  readonly operation: string;

  constructor(operation: string, status: number, body: unknown) {
    const parsed = isErrorBody(body) ? body : undefined;
    const detail = parsed ? `${parsed.error_code ?? "no error code"}: ${parsed.msg}` : String(body);
    super(`${operation} answered ${status} (${detail})`);
    this.operation = operation;
    this.status = status;
    this.body = parsed;
    this.errorCode = parsed?.error_code;
  }
}

export interface FailoverClient {
  create(body: FailoverBackendCreate): Promise<FailoverBackend>;
  get(id: string): Promise<FailoverBackend>;
  /** One page, newest first; `next_page_uri` is null on the last one. */
  list(query?: ListQuery): Promise<FailoverBackendList>;
  /** Every backend, newest first, across all pages (`limit` backends a request). */
  listAll(query?: Pick<ListQuery, "limit">): AsyncGenerator<FailoverBackend, void, undefined>;
  /** Only the fields given change; the others keep their stored values. */
  update(id: string, body: FailoverBackendUpdate): Promise<FailoverBackend>;
  delete(id: string): Promise<void>;
  /** The underlying openapi-fetch client, typed by the spec's paths. */
  readonly raw: Client<paths>;
}

// The spec declares the header on every operation; only version 2 exists.
const header = { "Ngrok-Version": "2" } as const;

export function createFailoverClient(
  baseUrl: string,
  apiKey: string,
  options: FailoverClientOptions = {},
): FailoverClient {
  const raw = createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: { Authorization: `Bearer ${apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  async function list(query: ListQuery = {}): Promise<FailoverBackendList> {
    const { data, error, response } = await raw.GET("/backends/failover", {
      params: { header, query },
    });
    return settle("listFailoverBackends", data, error, response);
  }

  async function* listAll(
    query: Pick<ListQuery, "limit"> = {},
  ): AsyncGenerator<FailoverBackend, void, undefined> {
    const seen = new Set<string>();
    let page = await list(query);
    for (;;) {
      yield* page.backends;
      if (page.next_page_uri === null) return;
      // Only the query of next_page_uri is read: the host stays the one this client was made
      // for, whatever the server (or a proxy's public URL) puts in front of it.
      const next = new URL(page.next_page_uri).searchParams;
      const beforeId = next.get("before_id");
      if (beforeId === null || seen.has(beforeId)) {
        throw new Error(`listFailoverBackends: next_page_uri does not move on: ${page.next_page_uri}`);
      }
      seen.add(beforeId);
      const limit = next.get("limit") ?? query.limit;
      page = await list(limit === undefined ? { before_id: beforeId } : { before_id: beforeId, limit });
    }
  }

  return {
    raw,
    list,
    listAll,
    async create(body) {
      const { data, error, response } = await raw.POST("/backends/failover", {
        params: { header },
        body,
      });
      return settle("createFailoverBackend", data, error, response);
    },
    async get(id) {
      const { data, error, response } = await raw.GET("/backends/failover/{id}", {
        params: { header, path: { id } },
      });
      return settle("getFailoverBackend", data, error, response);
    },
    async update(id, body) {
      const { data, error, response } = await raw.PATCH("/backends/failover/{id}", {
        params: { header, path: { id } },
        body,
      });
      return settle("updateFailoverBackend", data, error, response);
    },
    async delete(id) {
      const { error, response } = await raw.DELETE("/backends/failover/{id}", {
        params: { header, path: { id } },
      });
      if (!response.ok) throw new FailoverApiError("deleteFailoverBackend", response.status, error);
    },
  };
}

function settle<T>(operation: string, data: T | undefined, error: unknown, response: Response): T {
  if (!response.ok || data === undefined) {
    throw new FailoverApiError(operation, response.status, error);
  }
  return data;
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null) return false;
  const body = value as Record<string, unknown>;
  return (
    typeof body["status_code"] === "number" &&
    typeof body["msg"] === "string" &&
    typeof body["details"] === "object" &&
    (body["error_code"] === undefined || typeof body["error_code"] === "string")
  );
}
