import { describe, expect, it } from 'vitest';
import { procountorProvider } from '../../../providers/procountor/adapter.js';
import type { ProcountorSettingsInput } from '../../../providers/procountor/settings.js';
import { useProcountorSandbox } from './fixture.js';
import { example, syncOnce } from './helpers.js';

describe('Procountor after creating: approve and send', () => {
  const fixture = useProcountorSandbox('procountor-finalize');

  const context = (afterCreate: ProcountorSettingsInput['afterCreate']) => fixture.context({ afterCreate });
  const statusAtProcountor = () => (fixture.sandbox.invoices()[0]!.raw as { status: string }).status;
  const steps = () => fixture.sandbox.requests().filter((r) => /\/(approve|send)$/.test(r.path)).map((r) => r.path.split('/').pop());

  it('leaves the invoice unfinished when the connection says none', async () => {
    const ctx = context('none');
    const { created } = await syncOnce(ctx, example());
    expect(await procountorProvider.finalize!(ctx, example(), created)).toEqual(created);
    expect(statusAtProcountor()).toBe('UNFINISHED');
    expect(steps()).toEqual([]);
  });

  it('approves, recording the step, when the connection says approve', async () => {
    const ctx = context('approve');
    const { created } = await syncOnce(ctx, example());
    const done = await procountorProvider.finalize!(ctx, example(), created);
    expect(done).toMatchObject({ id: created.id, number: created.number, state: 'NOT_SENT' });
    expect(statusAtProcountor()).toBe('NOT_SENT');
    expect(ctx.exchanges.map((e) => e.label)).toContain('approve invoice');
  });

  it('approves then sends when the connection says approve_and_send, and does nothing more when called again', async () => {
    const ctx = context('approve_and_send');
    const { created } = await syncOnce(ctx, example());
    const done = await procountorProvider.finalize!(ctx, example(), created);
    expect(done.state).toBe('SENT');
    expect(statusAtProcountor()).toBe('SENT');
    expect(steps()).toEqual(['approve', 'send']);
    await procountorProvider.finalize!(ctx, example(), done);
    expect(steps()).toEqual(['approve', 'send']);
  });

  it('called again with a stale state (an answer that was lost), finds the step already done instead of failing', async () => {
    const ctx = context('approve');
    const { created } = await syncOnce(ctx, example());
    await procountorProvider.finalize!(ctx, example(), created);
    const again = await procountorProvider.finalize!(ctx, example(), created);
    expect(again.state).toBe('NOT_SENT');
    expect(statusAtProcountor()).toBe('NOT_SENT');
  });

  it('never sends twice: called again with the state stored before a send whose answer was lost, it sees SENT and stops', async () => {
    const ctx = context('approve_and_send');
    const { created } = await syncOnce(ctx, example());
    await procountorProvider.finalize!(ctx, example(), created);
    expect(steps()).toEqual(['approve', 'send']);
    // The record still says UNFINISHED (what the create answered); Procountor has sent it.
    const again = await procountorProvider.finalize!(ctx, example(), { ...created, state: 'UNFINISHED' });
    expect(again.state).toBe('SENT');
    expect(steps()).toEqual(['approve', 'send']);
  });

  it('reads the invoice first when it does not know its state', async () => {
    const ctx = context('approve_and_send');
    const { created } = await syncOnce(ctx, example());
    const done = await procountorProvider.finalize!(ctx, example(), { id: created.id, number: null, state: null });
    expect(done).toMatchObject({ id: created.id, number: created.number, state: 'SENT' });
    expect(ctx.exchanges.map((e) => e.label)).toContain('read invoice');
  });
});
