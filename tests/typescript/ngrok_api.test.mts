// ngrok's own JavaScript client (@ngrok/ngrok-api, pinned in clients/typescript/package-lock.json)
// against the reference server, lenient and with --strict-references: create, get, update (its
// body carries the path's id: update_body_id), list, delete. Two faults of the client's own stop
// a step short (spec/facts.yaml): delete deletes but cannot parse the 204's empty body
// (javascript_client_reads_204_as_json), and a list's next page sends beforeId, which the
// server refuses as unknown (javascript_client_pages_with_beforeId). Those steps assert what
// the client does, and what the server holds, so a fixed client fails them and is noticed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Ngrok } from "@ngrok/ngrok-api";

import { startServer, type ReferenceServer } from "./server.mjs";

// A known backend's id, as the strict server must be told (--known-backend).
const KNOWN = "bkdhr_2fKmcY180hfsrLrsT0VTrp3T7Tu";

interface ServerError {
  statusCode: number;
  errorCode: string;
  msg: string;
}

for (const mode of ["lenient", "strict"] as const) {
  describe(`ngrok's JavaScript client, ${mode} server`, () => {
    let server: ReferenceServer;
    let ngrok: Ngrok;

    before(async () => {
      const args = mode === "strict" ? ["--strict-references", "--known-backend", KNOWN] : [];
      server = await startServer(args);
      ngrok = new Ngrok({ apiToken: server.apiKey, baseUrl: server.baseUrl });
    });

    after(async () => {
      await server.stop();
    });

    /** The server's answer for `id`, read without the client. */
    async function stored(id: string): Promise<Response> {
      const headers = { authorization: `Bearer ${server.apiKey}`, "ngrok-version": "2" };
      return fetch(`${server.baseUrl}/backends/failover/${id}`, { headers });
    }

    test("create then get", async () => {
      const made = await ngrok.backends.failoverBackends.create({
        description: "js",
        metadata: "{}",
        backends: [KNOWN],
      });
      assert.match(made.id, /^bkdfo_[0-9A-Za-z]{27}$/);
      assert.equal(made.uri, `${server.baseUrl}/backends/failover/${made.id}`);
      assert.deepEqual(made.backends, [KNOWN]);
      // Typed a Date, the client hands on the JSON string as it came.
      assert.match(String(made.createdAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(await ngrok.backends.failoverBackends.get(made.id), made);
    });

    test("update sends the path's id in its body and is answered as without it", async () => {
      const made = await ngrok.backends.failoverBackends.create({ description: "d", backends: [KNOWN] });
      const changed = await ngrok.backends.failoverBackends.update({
        id: made.id,
        metadata: "m2",
        backends: made.backends, // its types demand backends in every update
      });
      assert.deepEqual(changed, { ...made, metadata: "m2" });
      assert.deepEqual(await ngrok.backends.failoverBackends.get(made.id), changed);
    });

    test("a server error reaches the caller as ngrok's error object", async () => {
      const missing = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tz";
      await assert.rejects(ngrok.backends.failoverBackends.get(missing), (error: ServerError) => {
        assert.equal(error.statusCode, 404);
        assert.equal(error.errorCode, "ERR_NGROK_6514");
        return true;
      });
    });

    test("list: a list that fits one page has every backend, newest first", async () => {
      const ids: string[] = [];
      for (let n = 0; n < 3; n++) ids.push((await ngrok.backends.failoverBackends.create({ backends: [] })).id);
      const listed = (await ngrok.backends.failoverBackends.list()).map((backend) => backend.id);
      const mine = listed.filter((id) => ids.includes(id));
      assert.deepEqual(mine, [...ids].sort().reverse());
    });

    test("list: a second page is refused, the client's beforeId (not before_id)", async () => {
      await ngrok.backends.failoverBackends.create({ backends: [] });
      await ngrok.backends.failoverBackends.create({ backends: [] });
      await assert.rejects(ngrok.backends.failoverBackends.list(undefined, "1"), (error: ServerError) => {
        assert.equal(error.statusCode, 400);
        assert.equal(error.errorCode, "ERR_NGROK_231");
        assert.match(error.msg, /beforeId/);
        return true;
      });
    });

    test("delete deletes, then fails to parse the 204's empty body as JSON", async () => {
      const made = await ngrok.backends.failoverBackends.create({ backends: [] });
      assert.equal((await stored(made.id)).status, 200);
      await assert.rejects(ngrok.backends.failoverBackends.delete(made.id), SyntaxError);
      assert.equal((await stored(made.id)).status, 404);
    });
  });
}
