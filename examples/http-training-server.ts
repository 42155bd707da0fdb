/**
 * Training inside an HTTP server without blocking it: a node:http server (no framework) whose
 * POST /train starts fit() on the built-in run-to-failure data in a worker thread and answers 202 at
 * once with a job id; GET /jobs/:id reports the job's progress (epoch, batch, losses per epoch) as
 * fit's callback events arrive; GET /health answers immediately, however long training runs. The
 * server's thread only serves requests and copies progress events into the job record: the
 * forward/backward passes run in the worker (`worker: true` makes fit refuse, rather than fall back
 * to the server's thread, if anything could not move there).
 *
 * Run directly, it starts the server on a free port, starts one job, times /health requests while
 * the job trains, prints each latency with the job's progress at that moment, waits for the job,
 * prints its result and closes the server.
 *
 *     npx tsx examples/http-training-server.ts [epochs]       (default 5)
 *
 *     curl -X POST localhost:PORT/train -d '{"epochs": 5}'   → 202 {"id":"1","status":"/jobs/1"}
 *     curl localhost:PORT/jobs/1                             → {"state":"running","epoch":2,...}
 *     curl localhost:PORT/health                             → {"ok":true}
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { callbacks, data, datasets, type EpochLogs, fit, manualSeed, nn, optim, type Tensor } from 'keel';

const WINDOW = 30;

/** What GET /jobs/:id answers. */
export interface JobStatus {
  id: string;
  state: 'running' | 'done' | 'failed' | 'aborted';
  /** Where fit's loop runs: 'worker' once training has begun (null before). */
  mode: 'worker' | 'thread' | null;
  /** Epochs completed, and the epoch the job trains to. */
  epoch: number;
  epochs: number;
  /** Batches completed in the epoch under way, out of stepsPerEpoch (0 until fit has started). */
  batch: number;
  stepsPerEpoch: number;
  /** One record per completed epoch. */
  losses: Array<{ epoch: number; loss: number; valLoss: number; seconds: number }>;
  /** When done: the epoch with the lowest validation loss. */
  bestEpoch?: number | null;
  /** When failed: why. */
  error?: string;
}

/** What POST /train accepts as its JSON body (every field optional). */
export interface TrainRequest {
  /** Epochs to train. Default 5. */
  epochs?: number;
  /** Samples per batch. Default 64. */
  batchSize?: number;
}

export interface TrainingServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Resolves with the job's final status once its fit has settled. */
  finished(id: string): Promise<JobStatus>;
  /** Aborts running jobs, waits for their workers to exit and closes the server and its connections. */
  close(): Promise<void>;
}

/** Copies fit's progress into a job record. Runs on the server's thread, fed by the worker's events. */
class JobProgress extends callbacks.Callback {
  constructor(private readonly job: JobStatus) {
    super();
  }

  // It only observes, so the worker never waits for it.
  override get passive(): boolean {
    return true;
  }

  override onTrainBegin(): void {
    this.job.mode = this.context.params.mode;
    this.job.stepsPerEpoch = this.context.params.stepsPerEpoch;
  }

  override onBatchEnd(batch: number): void {
    this.job.batch = batch;
  }

  override onEpochEnd(epoch: number, logs: EpochLogs): void {
    this.job.epoch = epoch;
    this.job.batch = 0;
    this.job.losses.push({ epoch, loss: logs.loss, valLoss: logs.valLoss!, seconds: logs.seconds });
  }
}

/** The built-in data as the backbone example prepares it: split by engine, scaled on the training engines, 30-cycle windows. */
function prepareData(seed: number): { x: Tensor; y: Tensor; validationData: { x: Tensor; y: Tensor }; channels: number } {
  const ds = datasets.runToFailure({ seed });
  const [train, val] = data.groupSplit(ds.train, [0.8, 0.2], seed) as [data.SeriesTable, data.SeriesTable];
  const scaler = new data.Standardizer().fit(train);
  const windows = (t: data.SeriesTable) => data.slidingWindows(scaler.transform(t), { window: WINDOW, channels: ds.informative, targets: 'rul' });
  const w = windows(train), v = windows(val);
  return { x: w.x, y: w.y, validationData: { x: v.x, y: v.y }, channels: ds.informative.length };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text.trim() === '' ? {} : JSON.parse(text);
}

/** The training request's settings, or a message saying what is wrong with it (answered with 400). */
function trainSettings(body: unknown): Required<TrainRequest> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `body must be a JSON object, got ${JSON.stringify(body)}`;
  const { epochs = 5, batchSize = 64, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length) return `unknown field(s) ${Object.keys(rest).join(', ')} (expected epochs, batchSize)`;
  const ok = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= max;
  if (!ok(epochs, 1000)) return `epochs must be an integer in [1, 1000], got ${JSON.stringify(epochs)}`;
  if (!ok(batchSize, 4096)) return `batchSize must be an integer in [1, 4096], got ${JSON.stringify(batchSize)}`;
  return { epochs, batchSize };
}

/** Starts the server on 127.0.0.1 (port 0: a free one). */
export async function startTrainingServer(options: { port?: number; seed?: number } = {}): Promise<TrainingServer> {
  const seed = options.seed ?? 0;
  const train = prepareData(seed); // once, before listening: it is synchronous work on this thread
  const jobs = new Map<string, JobStatus>();
  const running = new Map<string, { done: Promise<JobStatus>; abort: AbortController }>();

  function startJob(settings: Required<TrainRequest>): JobStatus {
    const job: JobStatus = { id: String(jobs.size + 1), state: 'running', mode: null, epoch: 0, epochs: settings.epochs, batch: 0, stepsPerEpoch: 0, losses: [] };
    jobs.set(job.id, job);
    manualSeed(seed);
    const model = nn.conv1dBackbone({ inChannels: train.channels, window: WINDOW });
    const abort = new AbortController();
    const done = fit(model, {
      x: train.x, y: train.y, validationData: train.validationData,
      epochs: settings.epochs, batchSize: settings.batchSize, seed,
      optimizer: (params) => new optim.AdamW(params, { lr: 1e-3 }),
      callbacks: [new JobProgress(job)],
      signal: abort.signal,
      worker: true,
      verbose: false,
    }).then(
      (history) => {
        // The trained weights are now in `model`: save() them, or serve predict() from here.
        job.state = history.stopped === 'aborted' ? 'aborted' : 'done';
        job.bestEpoch = history.bestEpoch;
        return job;
      },
      (e: unknown) => {
        job.state = 'failed';
        job.error = e instanceof Error ? e.message : String(e);
        return job;
      },
    ).finally(() => running.delete(job.id));
    running.set(job.id, { done, abort });
    return job;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true });
    if (req.method === 'POST' && path === '/train') {
      let body: unknown;
      try {
        body = await readJson(req);
      } catch (e) {
        return send(res, 400, { error: `body is not JSON: ${(e as Error).message}` });
      }
      const settings = trainSettings(body);
      if (typeof settings === 'string') return send(res, 400, { error: settings });
      const job = startJob(settings);
      return send(res, 202, { id: job.id, status: `/jobs/${job.id}` }, { location: `/jobs/${job.id}` });
    }
    const job = req.method === 'GET' && path.startsWith('/jobs/') ? jobs.get(path.slice('/jobs/'.length)) : undefined;
    if (job) return send(res, 200, job);
    send(res, 404, { error: `no route ${req.method} ${path}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, { error: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async finished(id) {
      const job = jobs.get(id);
      if (!job) throw new RangeError(`finished: no job ${JSON.stringify(id)}`);
      return running.get(id)?.done ?? job;
    },
    async close() {
      for (const { abort } of running.values()) abort.abort();
      await Promise.all([...running.values()].map((r) => r.done));
      const closed = new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** One request without keep-alive (agent: false), so no socket outlives it. */
function call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject).end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export interface HealthCheck {
  /** Time from sending GET /health to the end of its answer, in ms. */
  latencyMs: number;
  /** The job's progress right after that answer (GET /jobs/:id): epochs completed, batches into the next. */
  epoch: number;
  batch: number;
}

export interface TrainingServerDemo {
  /** Every /health request answered while the job's state was 'running', in order. */
  checks: HealthCheck[];
  /** The job's final status. */
  job: JobStatus;
}

/**
 * Starts a server, POSTs one training job and, until it ends, sends GET /health (then GET /jobs/:id)
 * every intervalMs; returns the latencies with the progress seen, and the final status. Closes the server.
 */
export async function runTrainingServerDemo(options: TrainRequest & { intervalMs?: number } = {}): Promise<TrainingServerDemo> {
  const { intervalMs = 50, ...settings } = options;
  const server = await startTrainingServer();
  try {
    const started = await call('POST', `${server.url}/train`, settings);
    if (started.status !== 202) throw new Error(`POST /train answered ${started.status}: ${JSON.stringify(started.json)}`);
    const { id } = started.json as { id: string };
    const checks: HealthCheck[] = [];
    for (;;) {
      const t0 = performance.now();
      await call('GET', `${server.url}/health`);
      const latencyMs = performance.now() - t0;
      const job = (await call('GET', `${server.url}/jobs/${id}`)).json as JobStatus;
      if (job.state !== 'running') break;
      checks.push({ latencyMs, epoch: job.epoch, batch: job.batch });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    return { checks, job: await server.finished(id) };
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const epochs = Number(process.argv[2] ?? 5);
  console.log(`POST /train {"epochs": ${epochs}}: the conv1d backbone on datasets.runToFailure; GET /health every 200 ms while it trains`);
  const { checks, job } = await runTrainingServerDemo({ epochs, intervalMs: 200 });
  for (const c of checks) console.log(`  /health answered in ${c.latencyMs.toFixed(1).padStart(5)} ms   job running, epoch ${c.epoch}/${job.epochs}, batch ${c.batch}/${job.stepsPerEpoch}`);
  const worst = Math.max(...checks.map((c) => c.latencyMs));
  const epochMs = job.losses.map((l) => l.seconds * 1000);
  console.log(`${checks.length} health checks during training, slowest ${worst.toFixed(1)} ms; epochs took ${epochMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  for (const l of job.losses) console.log(`  epoch ${l.epoch}: loss ${l.loss.toFixed(1)}, valLoss ${l.valLoss.toFixed(1)}`);
  console.log(`job ${job.id}: ${job.state} (fit ran in a ${job.mode}), best epoch ${job.bestEpoch}; server closed`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
