/**
 * The HTTP prediction-server example (examples/http-prediction-server.ts): a folder keel train wrote,
 * served over real HTTP. Requests sent at once — plain and Monte-Carlo — get exactly what
 * loadModelFolder(dir).predict gives for each alone; GET /model describes the folder; bad input is a
 * 400 carrying keel's message, an unknown route a 404; closing leaves no socket or server behind.
 */
import { describe, expect, it, vi } from 'vitest';
import { loadModelFolder } from 'keel';
import { call, engineReadings, startPredictionServer } from '../../examples/http-prediction-server.js';
import { trainSmallModel } from '../cli/io.js';

/** Handles that would keep a process alive after the example: TCP sockets and servers. */
function liveHandles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => /TCP/.test(r)).sort();
}

describe('http-prediction-server example', () => {
  it('answers requests sent at once as loadModelFolder answers each alone, and closes cleanly', async () => {
    const dir = await trainSmallModel();
    const before = liveHandles();
    const server = await startPredictionServer(dir);
    try {
      const folder = await loadModelFolder(dir);
      expect((await call('GET', `${server.url}/model`)).json).toEqual({ kind: 'rul', columns: [...folder.columns], labels: null, window: 30 });

      const engines = engineReadings(6);
      const bodies = engines.map((rows, i) => ({ inputs: [rows], ...(i % 2 ? { mcDropout: { samples: 8, seed: i } } : {}) }));
      const alone = [];
      for (const body of bodies) alone.push(await folder.predict(body.inputs, body.mcDropout ? { mcDropout: body.mcDropout } : {}));
      const answers = await Promise.all(bodies.map((body) => call('POST', `${server.url}/predict`, body)));
      expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
      expect(answers.map((a) => a.json.predictions)).toEqual(alone);
      expect(answers.filter((_, i) => i % 2).every((a) => a.json.predictions[0].std > 0)).toBe(true);

      const lacking = await call('POST', `${server.url}/predict`, { inputs: [[{ s2: 1 }]] });
      expect(lacking.status).toBe(400);
      expect(lacking.json.error).toContain('inputs[0][0] lacks "s3"');
      const typo = await call('POST', `${server.url}/predict`, { inputs: [engines[0]], mcDropout: { sample: 3 } });
      expect(typo.status).toBe(400);
      expect(typo.json.error).toContain('sample');
      expect((await call('POST', `${server.url}/predict`, {})).status).toBe(400);
      expect((await call('GET', `${server.url}/predict`)).status).toBe(404);
    } finally {
      await server.close();
    }
    // Closed handles leave Node's list at the end of the event-loop turn.
    await vi.waitFor(() => expect(liveHandles()).toEqual(before), { timeout: 1000 });
  }, 60_000);
});
