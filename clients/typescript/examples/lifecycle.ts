import assert from "node:assert/strict";

import { createFailoverClient, FailoverApiError } from "ngrok-failover-client";

const apiKey = process.env["NGROK_API_KEY"];
if (apiKey === undefined) throw new Error("set NGROK_API_KEY");
const client = createFailoverClient(process.env["NGROK_API_URL"] ?? "https://api.ngrok.com", apiKey);

const created = await client.create({
  backends: [],
  description: "acme failover",
  metadata: '{"environment": "staging"}',
});
console.log(created.id, created.created_at); // created_at is an RFC 3339 string

const fetched = await client.get(created.id);
assert.equal(fetched.id, created.id);

// Every failover backend on the account, newest first, across all pages.
for await (const backend of client.listAll({ limit: "50" })) {
  console.log(backend.id, backend.description);
}

// Only the fields given change; the others keep their values.
const updated = await client.update(created.id, { metadata: '{"environment": "production"}' });
assert.equal(updated.description, "acme failover");

await client.delete(created.id);

// Every 4xx and 5xx throws a FailoverApiError carrying ngrok's error body.
try {
  await client.get(created.id);
} catch (error) {
  if (!(error instanceof FailoverApiError)) throw error;
  console.log(error.status, error.errorCode); // 404 ERR_NGROK_6514
}
