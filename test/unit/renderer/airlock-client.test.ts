import { describe, expect, it } from 'vitest';
import { AirlockClientError, createAirlockClient, errorPayloadOf } from '../../../renderer/api/airlock-client.ts';
import { fail, fakeBridge, ok } from './fake-airlock.ts';

describe('airlock client', () => {
  it('resolves to the value of a successful call', async () => {
    const client = createAirlockClient(fakeBridge({ 'operation.cancel': () => ok({ cancelled: true }) }));
    expect(await client.call('operation.cancel', { operationId: 'op_12345678' })).toEqual({ cancelled: true });
  });

  it('throws the error payload of a failed call, code and remedy intact', async () => {
    const client = createAirlockClient(fakeBridge({ 'kit.preflight': () => fail('KIT_HANDLE_UNKNOWN', 'expired', { field: 'kit' }) }));
    const error = await client.call('kit.preflight', { kit: `kit_${'0'.repeat(32)}` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirlockClientError);
    expect(errorPayloadOf(error)).toEqual({ code: 'KIT_HANDLE_UNKNOWN', message: 'expired', remedy: 'remedy for KIT_HANDLE_UNKNOWN', field: 'kit' });
  });

  it('turns anything else into an INTERNAL payload with a remedy', async () => {
    const bridge = fakeBridge();
    bridge.invoke = async () => 'garbage' as never;
    const error = await createAirlockClient(bridge).call('app.info', {}).catch((e: unknown) => e);
    expect(errorPayloadOf(error).code).toBe('INTERNAL');
    expect(errorPayloadOf(new Error('x'))).toMatchObject({ code: 'INTERNAL', message: 'x' });
  });

  it('says why drops cannot work where the bridge has no dropFiles (a browser)', async () => {
    const result = await createAirlockClient(fakeBridge()).dropFiles([new File(['x'], 'a.kit.tar')]);
    expect(result.kits).toEqual([]);
    expect(result.rejected).toEqual([{ name: 'a.kit.tar', reason: expect.stringContaining('kit folder') }]);
  });
});
