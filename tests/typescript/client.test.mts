// The TypeScript client against the reference server: every operation, every page of a list,
// and 404 and 400 answers as FailoverApiError. Runs under `node --test` (make test-typescript).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { createFailoverClient, FailoverApiError, type FailoverBackend } from "ngrok-failover-client";

import { startServer, type ReferenceServer } from "./server.mjs";

// The server puts this unreachable origin in every `uri` and `next_page_uri` (as behind a proxy),
// so a page walk that followed next_page_uri itself, not just its query, would fail.
const PUBLIC_URL = "http://127.0.0.1:9";

let server: ReferenceServer;
const sent: Request[] = [];

function client() {
  return createFailoverClient(server.baseUrl, server.apiKey, {
    fetch: (input, init) => {
      const request = new Request(input, init);
      sent.push(request.clone());
      return fetch(request);
    },
  });
}

before(async () => {
  server = await startServer(["--public-url", PUBLIC_URL]);
});

after(async () => {
  await server.stop();
});

test("create then get returns the same backend", async () => {
  const api = client();
  const created = await api.create({ backends: [], description: "acme", metadata: "{}" });
  assert.match(created.id, /^bkdfo_[0-9A-Za-z]{27}$/);
  assert.equal(created.uri, `${PUBLIC_URL}/backends/failover/${created.id}`);
  assert.match(created.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(await api.get(created.id), created);
  await api.delete(created.id);
});

test("every request carries the API key and Ngrok-Version: 2", async () => {
  sent.length = 0;
  const api = client();
  const created = await api.create({ backends: [] });
  await api.get(created.id);
  await api.delete(created.id);
  assert.equal(sent.length, 3);
  for (const request of sent) {
    assert.equal(request.headers.get("authorization"), `Bearer ${server.apiKey}`);
    assert.equal(request.headers.get("ngrok-version"), "2");
  }
});

test("listAll walks every page with a small limit, newest first, on the client's own host", async () => {
  const api = client();
  const created: FailoverBackend[] = [];
  for (let n = 0; n < 5; n++) created.push(await api.create({ backends: [], description: `page ${n}` }));
  sent.length = 0;

  const walked: string[] = [];
  for await (const backend of api.listAll({ limit: "2" })) walked.push(backend.id);

  assert.deepEqual(walked, created.map((b) => b.id).reverse());
  assert.equal(sent.length, 3); // pages of 2, 2 and 1
  for (const request of sent) {
    const url = new URL(request.url);
    assert.equal(url.origin, new URL(server.baseUrl).origin);
    assert.equal(url.searchParams.get("limit"), "2");
  }
  assert.equal(new URL(sent[0]!.url).searchParams.get("before_id"), null);
  assert.equal(new URL(sent[1]!.url).searchParams.get("before_id"), walked[1]);
  assert.equal(new URL(sent[2]!.url).searchParams.get("before_id"), walked[3]);

  const first = await api.list({ limit: "2" });
  assert.equal(first.backends.length, 2);
  assert.ok(first.next_page_uri?.startsWith(`${PUBLIC_URL}/backends/failover?`));
  for (const backend of created) await api.delete(backend.id);
});

test("update changes only the fields given", async () => {
  const api = client();
  const child = await api.create({ backends: [] });
  const created = await api.create({ backends: [child.id], description: "acme", metadata: "m1" });

  const updated = await api.update(created.id, { metadata: "m2" });
  assert.deepEqual(updated, { ...created, metadata: "m2" });

  const emptied = await api.update(created.id, { backends: [] });
  assert.deepEqual(emptied, { ...created, metadata: "m2", backends: [] });
  assert.deepEqual(await api.get(created.id), emptied);

  await api.delete(created.id);
  await api.delete(child.id);
});

test("delete removes the backend; a get then throws a 404 FailoverApiError", async () => {
  const api = client();
  const created = await api.create({ backends: [] });
  assert.equal(await api.delete(created.id), undefined);
  const error = await api.get(created.id).then(
    () => assert.fail("get after delete succeeded"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof FailoverApiError);
  assert.equal(error.status, 404);
  assert.equal(error.errorCode, "ERR_NGROK_6514");
  assert.equal(error.operation, "getFailoverBackend");
  assert.equal(error.body?.status_code, 404);
  assert.equal(typeof error.body?.details["operation_id"], "string");
  await assert.rejects(api.delete(created.id), { name: "FailoverApiError", status: 404 });
  await assert.rejects(api.update(created.id, {}), { name: "FailoverApiError", status: 404 });
});

test("a 400 parses into a FailoverApiError with ngrok's error body", async () => {
  const api = client();
  await assert.rejects(api.create({ backends: [], description: "x".repeat(256) }), (error: unknown) => {
    assert.ok(error instanceof FailoverApiError);
    assert.equal(error.status, 400);
    assert.equal(error.errorCode, "ERR_NGROK_6503");
    assert.equal(error.body?.status_code, 400);
    assert.match(error.message, /^createFailoverBackend answered 400 \(ERR_NGROK_6503: /);
    return true;
  });
  await assert.rejects(api.list({ limit: "0" }), { name: "FailoverApiError", status: 400 });
});

test("a wrong API key is a 401 FailoverApiError", async () => {
  const api = createFailoverClient(server.baseUrl, "not-the-key");
  await assert.rejects(api.list(), { name: "FailoverApiError", status: 401 });
});

// Answers a server could give that the reference server never does, from a fetch double.
function answering(status: number, body: string, contentType = "application/json") {
  return createFailoverClient("http://127.0.0.1:9", "key", {
    fetch: async () => new Response(body, { status, headers: { "Content-Type": contentType } }),
  });
}

test("listAll stops with an error when next_page_uri does not move on", async () => {
  const backend = {
    id: "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu",
    uri: "http://127.0.0.1:9/backends/failover/bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu",
    created_at: "2024-04-19T20:23:43Z",
    description: "",
    metadata: "",
    backends: [],
  };
  const page = JSON.stringify({
    backends: [backend],
    uri: "http://127.0.0.1:9/backends/failover",
    next_page_uri: `http://127.0.0.1:9/backends/failover?before_id=${backend.id}&limit=1`,
  });
  const walked: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const b of answering(200, page).listAll({ limit: "1" })) walked.push(b.id);
    })(),
    /next_page_uri does not move on/,
  );
  assert.deepEqual(walked, [backend.id, backend.id]); // two pages read, then the loop is seen
});

test("an error answer that is not ngrok's error body still throws FailoverApiError", async () => {
  const error = await answering(502, "<html>Bad Gateway</html>", "text/html").get("bkdfo_x").then(
    () => assert.fail("a 502 was accepted"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof FailoverApiError);
  assert.equal(error.status, 502);
  assert.equal(error.body, undefined);
  assert.equal(error.errorCode, undefined);
  assert.match(error.message, /^getFailoverBackend answered 502 \(<html>Bad Gateway<\/html>\)$/);
});
