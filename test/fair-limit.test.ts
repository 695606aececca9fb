import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { fairLimit, type Turn } from '../src/pipeline/fair-limit.js';

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Queues one task per label ("a1" is owner a's first) behind a held slot; resolves to the order they ran in. */
async function runOrder(
  concurrency: number,
  batches: Array<{ labels: string[]; turn: (label: string) => Turn }>,
): Promise<string[]> {
  const limit = fairLimit(concurrency);
  const started: string[] = [];
  const hold = gate();
  // Every slot is taken first, so the order below is the queue's, not arrival's.
  const holders = Array.from({ length: concurrency }, () =>
    limit(() => hold.promise, { owner: 'holder' }),
  );
  const tasks = batches.flatMap(({ labels, turn }) =>
    labels.map((label) =>
      limit(async () => {
        started.push(label);
      }, turn(label)),
    ),
  );
  hold.open();
  await Promise.all([...holders, ...tasks]);
  return started;
}

describe('fairLimit', () => {
  it('takes queued tasks from the owners in turn, not in arrival order', async () => {
    const owner = (label: string): Turn => ({ owner: label[0]! });
    const order = await runOrder(1, [
      { labels: ['a1', 'a2', 'a3', 'a4', 'a5'], turn: owner },
      { labels: ['b1', 'b2'], turn: owner },
      { labels: ['c1'], turn: owner },
    ]);
    // The holder's owner has nothing left, so the turn order starts with a.
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4', 'a5']);
  });

  it('gives a freed slot to the owner with the fewest tasks running, before the one that holds the rest', async () => {
    const limit = fairLimit(2);
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const task = (label: string) => () => {
      started.push(label);
      const held = gate();
      gates.set(label, held);
      return held.promise;
    };
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    const long = Array.from({ length: 6 }, (_, i) => limit(task(`long${i}`), { owner: 'long' }));
    await tick();
    const short = limit(task('short'), { owner: 'short' });
    gates.get('long0')!.open();
    await tick();
    // FIFO would start long2 (and every other long task) first; so would a plain turn order,
    // which has long ahead of short.
    expect(started).toEqual(['long0', 'long1', 'short']);
    gates.get('long1')!.open();
    await tick();
    expect(started.at(-1)).toBe('long2');
    for (let i = 2; i < 6; i++) {
      gates.get('short')?.open();
      gates.get(`long${i}`)!.open();
      await tick();
    }
    await Promise.all([...long, short]);
    expect(started).toHaveLength(7);
  });

  it('runs interactive tasks before background ones, whatever their arrival', async () => {
    const order = await runOrder(1, [
      { labels: ['e1', 'e2', 'e3'], turn: () => ({ owner: 'eval', priority: 'background' }) },
      { labels: ['u1', 'u2'], turn: () => ({ owner: 'user', priority: 'interactive' }) },
      { labels: ['v1'], turn: () => ({ owner: 'other-user' }) },
    ]);
    expect(order).toEqual(['u1', 'v1', 'u2', 'e1', 'e2', 'e3']);
  });

  it('never has more than `concurrency` tasks running, and fills every slot while work waits', async () => {
    const limit = fairLimit(3);
    let running = 0;
    let most = 0;
    const tasks = [];
    for (let i = 0; i < 60; i++) {
      tasks.push(
        limit(
          async () => {
            running++;
            most = Math.max(most, running);
            await new Promise((resolve) => setTimeout(resolve, i % 3));
            running--;
            return i;
          },
          { owner: `owner${i % 4}`, priority: i % 5 === 0 ? 'background' : 'interactive' },
        ),
      );
    }
    const results = await Promise.all(tasks);
    expect(results).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(most).toBe(3);
  });

  it('takes an aborted task out of the queue and rejects it with the reason, without running it', async () => {
    const limit = fairLimit(1);
    const hold = gate();
    const holder = limit(() => hold.promise, { owner: 'a' });
    const controller = new AbortController();
    const ran: string[] = [];
    const queued = Array.from({ length: 20 }, (_, i) =>
      limit(
        async () => {
          ran.push(`b${i}`);
        },
        { owner: 'b', signal: controller.signal },
      ),
    );
    const other = limit(
      async () => {
        ran.push('c');
      },
      { owner: 'c' },
    );
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const reason = new Error('the brief failed');
      controller.abort(reason);
      for (const task of queued) await expect(task).rejects.toBe(reason);
      hold.open();
      await Promise.all([holder, other]);
      expect(ran).toEqual(['c']);
      // An already-aborted signal is refused at once.
      await expect(limit(async () => 1, { owner: 'b', signal: controller.signal })).rejects.toBe(
        reason,
      );
      // Twenty tasks on one signal, one listener: Node's leak warning (past 10) never fired.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('leaves a started task alone when its signal aborts, and frees the slot of a task that throws', async () => {
    const limit = fairLimit(1);
    const controller = new AbortController();
    const hold = gate();
    const running = limit(
      async () => {
        await hold.promise;
        return 'finished';
      },
      { owner: 'a', signal: controller.signal },
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    controller.abort(new Error('too late'));
    hold.open();
    await expect(running).resolves.toBe('finished');

    const throwing = limit(
      () => {
        throw new Error('synchronous');
      },
      { owner: 'a' },
    );
    await expect(throwing).rejects.toThrow('synchronous');
    await expect(limit(async () => 'next', { owner: 'b' })).resolves.toBe('next');
  });

  it('refuses a concurrency that is not a whole number of at least 1', () => {
    expect(() => fairLimit(0)).toThrow(RangeError);
    expect(() => fairLimit(1.5)).toThrow(RangeError);
    expect(() => fairLimit(4, 4)).toThrow(RangeError);
    expect(() => fairLimit(4, -1)).toThrow(RangeError);
    // The setting is held below the concurrency where it is read.
    expect(() => parseConfig({ LLM_RESERVED_SLOTS: '4' })).toThrow(
      /LLM_RESERVED_SLOTS: must be less than LLM_CONCURRENCY \(4\)/,
    );
    expect(parseConfig({ LLM_CONCURRENCY: '8', LLM_RESERVED_SLOTS: '2' }).LLM_RESERVED_SLOTS).toBe(
      2,
    );
    expect(parseConfig({}).LLM_RESERVED_SLOTS).toBe(0);
  });

  it('keeps reserved slots from any one owner, for the next owner to start at once', async () => {
    const limit = fairLimit(4, 1);
    const held = gate();
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const task = (label: string) => async () => {
      started.push(label);
      running++;
      most = Math.max(most, running);
      await held.promise;
      running--;
    };
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    const long = Array.from({ length: 8 }, (_, i) => limit(task(`long${i}`), { owner: 'long' }));
    await tick();
    // Alone, the long owner holds three of the four slots; the fourth waits for someone else.
    expect(started).toEqual(['long0', 'long1', 'long2']);
    const short = limit(task('short'), { owner: 'short' });
    await tick();
    expect(started).toEqual(['long0', 'long1', 'long2', 'short']);
    // Every slot is taken now: an evaluation's call waits.
    const background = limit(task('eval'), { owner: 'eval', priority: 'background' });
    await tick();
    expect(started).not.toContain('eval');
    held.open();
    await Promise.all([...long, short, background]);
    expect(most).toBe(4);
    expect(started).toContain('eval');
  });

  it('never gives the reserve to background owners: it waits for a user', async () => {
    const limit = fairLimit(4, 1);
    const held = gate();
    const started: string[] = [];
    const task = (label: string) => async () => {
      started.push(label);
      await held.promise;
    };
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    // An evaluation alone may use the slots outside the reserve.
    const evaluation = [0, 1, 2, 3].map((i) =>
      limit(task(`eval${i}`), { owner: 'eval', priority: 'background' }),
    );
    await tick();
    expect(started).toEqual(['eval0', 'eval1', 'eval2']);
    // A second evaluation waits too: the fourth slot is a user's.
    const other = limit(task('other'), { owner: 'other', priority: 'background' });
    await tick();
    expect(started).toEqual(['eval0', 'eval1', 'eval2']);
    const user = limit(task('user'), { owner: 'user' });
    await tick();
    expect(started).toEqual(['eval0', 'eval1', 'eval2', 'user']);
    held.open();
    await Promise.all([...evaluation, other, user]);
  });
});
