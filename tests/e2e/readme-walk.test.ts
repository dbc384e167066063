/**
 * The README's walk through the API, pasted as one block the way the README
 * says to run it: `bash -euo pipefail walk.sh` in the repository's folder, on
 * a free port and a fresh SQLite file. It starts its own server and must
 * stop it; whatever happens, no server outlives this file.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const HEADING = '## A walk through the API with curl';
const WALK_TIMEOUT_MS = 60_000;

/** The first ```sh block under the walk's heading, before the next heading. */
function walkBlock(readme: string): string {
  const start = readme.indexOf(`\n${HEADING}\n`);
  assert.ok(start >= 0, `README.md has no "${HEADING}"`);
  const section = readme.slice(start + HEADING.length + 2).split(/\n## /)[0] as string;
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(section);
  assert.ok(block, `no \`\`\`sh block under "${HEADING}"`);
  return block[1] as string;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: unknown;
}

describe("the README's walk through the API with curl, on sqlite", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-readme-walk-'));
  let walk: ChildProcess | undefined;

  after(() => {
    // The walk runs in its own process group, and so does the server it starts
    // in the background: kill the group, whatever is left of it.
    if (walk?.pid !== undefined) {
      try {
        process.kill(-walk.pid, 'SIGKILL');
      } catch {
        // ESRCH: nothing is left.
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'runs end to end, pasted as one block, and stops its server',
    { timeout: WALK_TIMEOUT_MS + 5_000 },
    async () => {
      const block = walkBlock(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
      const script = path.join(dir, 'walk.sh');
      fs.writeFileSync(script, block);
      const port = await freePort();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${path.join(dir, 'wallet.sqlite')}`,
        TMPDIR: dir,
      };
      // As a person's shell: no test runner's or CI's settings for the server.
      delete env.NODE_ENV;
      delete env.NODE_TEST_CONTEXT;

      walk = spawn('bash', ['-euo', 'pipefail', script], {
        cwd: ROOT,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      walk.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      walk.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const child = walk;
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          process.kill(-(child.pid as number), 'SIGKILL');
        }, WALK_TIMEOUT_MS);
        child.once('close', (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      const shown = `stdout:\n${stdout}\nstderr:\n${stderr}`;
      assert.equal(code, 0, `the walk failed (or took over ${WALK_TIMEOUT_MS} ms)\n${shown}`);

      // Every step printed its answer: one JSON document with data and no errors per `gql`.
      const steps = block.split('\n').filter((line) => /^gql /.test(line)).length;
      const answers = stdout
        .split('\n')
        .filter((line) => line.startsWith('{"data"') || line.startsWith('{"errors"'))
        .map((line) => JSON.parse(line) as Answer);
      assert.equal(answers.length, steps, `one answer per step (${steps})\n${shown}`);
      for (const answer of answers) {
        assert.equal(answer.errors, undefined, `an answer with errors: ${JSON.stringify(answer)}`);
        assert.ok(answer.data, `an answer without data: ${JSON.stringify(answer)}`);
        const values = Object.values(answer.data);
        assert.ok(values.length > 0 && values.every((v) => v !== null), JSON.stringify(answer));
      }

      // The balances the walk's comments promise are those its last reads show.
      const promised = (who: string) => {
        const said = new RegExp(`${who} [^=\\n]*= (\\d+\\.\\d\\d)`).exec(block);
        assert.ok(said, `the walk's comments say what ${who} ends with`);
        return said[1];
      };
      const balances = answers
        .map((answer) => answer.data?.wallet as Record<string, unknown> | undefined)
        .filter((wallet) => wallet !== undefined && Object.keys(wallet).join() === 'balance')
        .map((wallet) => wallet?.balance);
      assert.deepEqual(balances, [promised('Alice'), promised('Bob')], shown);

      assert.match(stdout, /\nstopped; /, shown);
      assert.equal(await portIsOpen(port), false, 'the server still listens after the walk');
    },
  );
});
