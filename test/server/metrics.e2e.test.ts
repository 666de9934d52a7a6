/**
 * `GET /metrics` (Tollama only, OLLAMA_METRICS=1): Prometheus text with requests by route and
 * code, queue depth, loaded models, tokens and load times. Off by default, where `/metrics` is
 * Ollama's plain `404 page not found` and nothing else changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMetrics } from '../../src/server/metrics.js';
import { addModel, haveStories, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  if (!line) throw new Error(`no ${series} in\n${text}`);
  return Number(line.slice(series.length + 1));
}

describe('renderMetrics', () => {
  it('escapes label values and writes HELP/TYPE for each family', () => {
    const text = renderMetrics({ queued: 2, loaded: [{ name: 'a"b\\c', size: 10, size_vram: 0 }], readOnly: true });
    expect(text).toContain('tollama_loaded_model_bytes{model="a\\"b\\\\c"} 10');
    expect(text).toContain('# TYPE tollama_queue_depth gauge\ntollama_queue_depth 2\n');
    expect(text).toContain('tollama_store_read_only 1');
    expect(text.endsWith('\n')).toBe(true);
  });
});

if (!haveStories) console.warn(`skipping metrics e2e: ${STORIES} is absent`);

describe.skipIf(!haveStories)('/metrics on a real server', () => {
  let on: TestServer;
  let off: TestServer;
  beforeAll(async () => {
    [on, off] = await Promise.all([startServer({ env: { OLLAMA_METRICS: '1' } }), startServer()]);
    await addModel(on.models, 'stories', STORIES);
  });
  afterAll(async () => {
    await on?.stop();
    await off?.stop();
  });

  it('is a plain 404 when off (Ollama has no /metrics)', async () => {
    const res = await fetch(`${off.url}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('404 page not found');
  });

  it('counts requests, tokens, loads and shows loaded models and the queue', async () => {
    const gen = await fetch(`${on.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', prompt: 'Once', stream: false, options: { num_predict: 5, seed: 1 } }),
    }).then((r) => r.json() as Promise<{ eval_count: number; prompt_eval_count: number }>);
    await fetch(`${on.url}/nope`);
    // The root answer is Ollama's with metrics on too.
    expect(await fetch(on.url).then((r) => r.text())).toBe('Ollama is running');
    const res = await fetch(`${on.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(value(text, 'tollama_requests_total{method="POST",route="/api/generate",code="200"}')).toBe(1);
    expect(value(text, 'tollama_requests_total{method="GET",route="other",code="404"}')).toBe(1);
    expect(value(text, 'tollama_requests_in_flight')).toBe(1); // this request
    expect(value(text, 'tollama_queue_depth')).toBe(0);
    expect(value(text, 'tollama_loaded_models')).toBe(1);
    expect(value(text, 'tollama_loaded_model_bytes{model="stories:latest"}')).toBeGreaterThan(0);
    expect(value(text, 'tollama_generated_tokens_total')).toBe(gen.eval_count);
    expect(value(text, 'tollama_prompt_tokens_total')).toBe(gen.prompt_eval_count);
    expect(value(text, 'tollama_generation_seconds_total')).toBeGreaterThan(0);
    expect(value(text, 'tollama_model_load_seconds_count')).toBe(1);
    expect(value(text, 'tollama_store_read_only')).toBe(0);
  });
});
