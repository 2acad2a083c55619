/**
 * The VCD worker (a worker_thread, bundled to out/server/vcd-worker.cjs): the waveform
 * viewer's extension host starts one per open waveform, so that reading and indexing a
 * file of hundreds of MB never blocks the editor. It answers the viewer's requests
 * (protocol/waveform.ts) from a WaveformSession.
 */
import { parentPort } from 'node:worker_threads';
import type { WaveWorkerMessage, WaveWorkerRequest } from '../../protocol/waveform.js';
import { WaveformSession } from './session.js';

const port = parentPort;
if (!port) throw new Error('vcd-worker runs as a worker thread');

let session: Promise<WaveformSession> | undefined;
const post = (m: WaveWorkerMessage): void => port.postMessage(m);

/** Progress at most every 100 ms. */
let lastProgress = 0;

async function handle(m: WaveWorkerRequest): Promise<void> {
  if (m.type === 'open') {
    session = WaveformSession.open(m.file, {
      onProgress: (read, size) => {
        const now = Date.now();
        if (now - lastProgress < 100 && read < size) return;
        lastProgress = now;
        post({ type: 'progress', read, size });
      },
    });
    post({ type: 'overview', overview: (await session).overview });
    return;
  }
  if (!session) throw new Error('no waveform is open');
  const s = await session;
  switch (m.type) {
    case 'rows':
      return post({ type: 'rows', req: m.req, t0: m.t0, t1: m.t1, rows: s.rows(m.ids, m.t0, m.t1, m.px) });
    case 'values':
      return post({ type: 'values', req: m.req, t: m.t, values: s.values(m.ids, m.t) });
    case 'transactions':
      return post({ type: 'transactions', req: m.req, stream: m.stream, from: m.from, ...s.transactions(m.stream, m.from, m.count) });
    case 'transactionAt':
      return post({ type: 'transactionAt', req: m.req, stream: m.stream, index: s.transactionAt(m.stream, m.t) });
    case 'search':
      return post({ type: 'search', req: m.req, time: s.search(m.id, m.bits, m.from, m.dir) });
  }
}

// One request at a time, in order (a row request waits for the file to be read).
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: WaveWorkerRequest) => {
  queue = queue.then(() => handle(m).catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) })));
});
