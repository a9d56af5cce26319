// Compiled (never run) by `make lint` against types generated from the spec by
// openapi-typescript: proves the spec gives other languages precise types.
import type { components, operations, paths } from "./failover";

type FailoverBackend = components["schemas"]["FailoverBackend"];
type CreateBody = components["schemas"]["FailoverBackendCreate"];
type UpdateBody = components["schemas"]["FailoverBackendUpdate"];
type Page = components["schemas"]["FailoverBackendList"];
type ApiError = components["schemas"]["Error"];

export const created: FailoverBackend = {
  id: "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu",
  uri: "https://api.ngrok.com/backends/failover/bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu",
  created_at: "2024-04-19T20:23:43Z",
  description: "acme failover",
  metadata: '{"environment": "staging"}',
  backends: ["bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"],
};

export const body: CreateBody = { backends: ["bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"] };
export const update: UpdateBody = { metadata: "{}" };
export const lastPage: Page = { backends: [created], uri: "https://api.ngrok.com/backends/failover", next_page_uri: null };
export const notFound: ApiError = { status_code: 404, msg: "Backend not found.", details: {} };

// What the spec forbids must not compile.
// @ts-expect-error: `backends` is required on create.
export const noChildren: CreateBody = { description: "x" };
// @ts-expect-error: no other properties on create.
export const extra: CreateBody = { backends: [], name: "x" };
// @ts-expect-error: every FailoverBackend field is required.
export const partial: FailoverBackend = { id: created.id };
// @ts-expect-error: `next_page_uri` is a string or null, never absent.
export const noNext: Page = { backends: [], uri: lastPage.uri };

type CreateResponse = operations["createFailoverBackend"]["responses"][201]["content"]["application/json"];
export const fromCreate: CreateResponse = created;
type ListQuery = NonNullable<paths["/backends/failover"]["get"]["parameters"]["query"]>;
export const query: ListQuery = { before_id: created.id, limit: "7" };
type VersionHeader = operations["getFailoverBackend"]["parameters"]["header"]["Ngrok-Version"];
export const version: VersionHeader = "2";
// @ts-expect-error: only API version 2 exists.
export const wrongVersion: VersionHeader = "3";
