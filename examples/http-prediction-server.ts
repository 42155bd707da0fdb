/**
 * Serving a model folder over HTTP: a node:http server (no framework) that loads the folder
 * `keel train` wrote once, at start, and answers POST /predict with the folder's predictions for the
 * inputs in the JSON body — for a RUL model, each engine's readings, oldest first, as objects keyed by
 * sensor name; with "mcDropout": {"samples": 30} each prediction gets a std. Requests that arrive
 * together are answered as if they came one by one (keel's predict keeps concurrent calls apart), and
 * bad input is answered 400 with keel's DataError message, which names the input, row and column.
 * GET /model describes what the folder expects.
 *
 * Run directly, it trains a small folder with `keel train` (the built-in engines, 3 epochs), starts
 * the server on a free port, sends one request per test engine at once, prints the answers and
 * closes the server.
 *
 *     npx tsx examples/http-prediction-server.ts [model-folder]
 *
 *     curl localhost:PORT/model                            → {"kind":"rul","columns":["s2",…],"window":30,…}
 *     curl -X POST localhost:PORT/predict -d '{"inputs": [[{"s2": 642.1, …}, …]]}'
 *                                                          → {"predictions":[{"value":112.4}]}
 */
import { execFileSync } from 'node:child_process';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataError, datasets, loadModelFolder, OptionError, type Prediction } from 'keel';

export interface PredictionServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Closes the server and its connections. */
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return JSON.parse(text);
}

/** Loads `dir` (a folder keel train wrote) and starts the server on 127.0.0.1 (port 0: a free one). */
export async function startPredictionServer(dir: string, options: { port?: number } = {}): Promise<PredictionServer> {
  const folder = await loadModelFolder(dir); // once: every request reuses the loaded weights

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/model') {
      return send(res, 200, { kind: folder.kind, columns: folder.columns, labels: folder.labels, window: folder.window });
    }
    if (req.method !== 'POST' || path !== '/predict') return send(res, 404, { error: `no route ${req.method} ${path}` });
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (e) {
      return send(res, 400, { error: `body is not JSON: ${(e as Error).message}` });
    }
    const { inputs, mcDropout } = (body ?? {}) as { inputs?: unknown; mcDropout?: unknown };
    try {
      const predictions = await folder.predict(inputs as never, mcDropout === undefined ? {} : { mcDropout: mcDropout as never });
      send(res, 200, { predictions });
    } catch (e) {
      // What the caller got wrong (keel says what and where); anything else is the server's fault.
      if (e instanceof DataError || e instanceof OptionError) return send(res, 400, { error: e.message });
      throw e;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, { error: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** One request without keep-alive (agent: false), so no socket outlives it. */
export function call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject).end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The built-in test engines' readings as a request body would carry them: per engine, one object per cycle. */
export function engineReadings(testUnits: number): Array<Array<Record<string, number>>> {
  const { test } = datasets.runToFailure({ testUnits });
  return test.units.map((unit) => {
    const values = unit.values.toArray(), width = test.columns.length;
    return Array.from({ length: values.length / width }, (_, t) => Object.fromEntries(test.columns.map((name, c) => [name, values[t * width + c]!])));
  });
}

async function main(): Promise<void> {
  let dir = process.argv[2];
  if (dir === undefined) {
    dir = join(mkdtempSync(join(tmpdir(), 'keel-serve-')), 'model');
    console.log(`npx keel train --data runtofailure --epochs 3 --out ${dir}`);
    execFileSync('npx', ['--no', 'keel', 'train', '--data', 'runtofailure', '--epochs', '3', '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const server = await startPredictionServer(dir);
  try {
    console.log(`serving ${dir} at ${server.url}: GET /model →`, JSON.stringify((await call('GET', `${server.url}/model`)).json));
    const engines = engineReadings(5);
    const answers = await Promise.all(engines.map((rows) => call('POST', `${server.url}/predict`, { inputs: [rows], mcDropout: { samples: 30 } })));
    answers.forEach((a, i) => {
      const [p] = a.json.predictions as Prediction[];
      console.log(`  engine ${i + 1} (${engines[i]!.length} cycles): RUL ${'value' in p! ? `${p.value.toFixed(1)} ± ${p.std!.toFixed(1)}` : p!.label} cycles`);
    });
    const bad = await call('POST', `${server.url}/predict`, { inputs: [[{ s2: 1 }]] });
    console.log(`  a row without the other sensors: ${bad.status} ${bad.json.error}`);
  } finally {
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
