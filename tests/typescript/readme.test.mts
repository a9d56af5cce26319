// The README's example is examples/lifecycle.ts byte for byte (make generate puts it there), and
// that example, compiled with the client, runs against a fresh reference server.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

import { repositoryRoot, startServer } from "./server.mjs";

const client = join(repositoryRoot(), "clients", "typescript");

test("the README's example is examples/lifecycle.ts", () => {
  const readme = readFileSync(join(client, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```ts\n(.*?)```/gs)].map((match) => match[1]);
  assert.deepEqual(blocks, [readFileSync(join(client, "examples", "lifecycle.ts"), "utf8")]);
});

test("the README's example runs against the reference server", async () => {
  const server = await startServer();
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(client, "dist", "examples", "lifecycle.js")],
      { env: { ...process.env, NGROK_API_URL: server.baseUrl, NGROK_API_KEY: server.apiKey } },
    );
    const lines = stdout.trim().split("\n");
    const [id, createdAt] = (lines[0] ?? "").split(" ");
    assert.match(id ?? "", /^bkdfo_[0-9A-Za-z]{27}$/);
    assert.match(createdAt ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(lines.includes(`${id} acme failover`), stdout); // the page walk found it
    assert.equal(lines.at(-1), "404 ERR_NGROK_6514"); // the get after delete
  } finally {
    await server.stop();
  }
});
