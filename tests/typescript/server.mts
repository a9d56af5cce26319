// Starts the reference server the way a user would (`python -m ngrok_failover_server --port 0`)
// and reads the URL it prints, so each test file talks to a fresh, empty server.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface ReferenceServer {
  baseUrl: string;
  apiKey: string;
  stop(): Promise<void>;
}

/** The repository's root: the first folder up from here that holds the spec. */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "spec", "failover.openapi.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("the repository root (spec/failover.openapi.yaml) is not above this file");
    dir = parent;
  }
  return dir;
}

export async function startServer(extraArgs: readonly string[] = []): Promise<ReferenceServer> {
  const root = repositoryRoot();
  const python = process.env["PYTHON"] ?? join(root, ".venv", "bin", "python");
  const apiKey = `ts-${randomBytes(12).toString("hex")}`;
  const child = spawn(
    python,
    ["-m", "ngrok_failover_server", "--port", "0", "--api-key", apiKey, ...extraArgs],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const match = /^\s*URL:\s+(\S+)/.exec(line);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the reference server exited (${code}) before printing its URL: ${stderr}`)));
  });
  return { baseUrl, apiKey, stop: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
