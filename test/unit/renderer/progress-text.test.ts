import { describe, expect, it } from 'vitest';
import { describeProgress } from '../../../renderer/components/progress-text.ts';
import { describeSigner, groupFingerprint } from '../../../renderer/components/signer-text.ts';
import { formatDate } from '../../../renderer/components/dates.ts';

const MiB = 1024 * 1024;

describe('progress in plain words', () => {
  it('says percent, amounts, speed, time left and files', () => {
    expect(describeProgress({ phase: 'verify', bytesDone: 12 * MiB, bytesTotal: 48 * MiB, itemsDone: 3, itemsTotal: 40, rate: 80 * MiB, eta: 0.45 })).toEqual({
      percent: 25,
      amount: '12.0 MiB of 48.0 MiB',
      speed: '80.0 MiB/s',
      timeLeft: 'about 0s left',
      items: '3 of 40 files checked',
    });
  });

  it('does not invent a percent, speed or time it cannot know', () => {
    expect(describeProgress(null)).toEqual({ percent: null, amount: 'Starting…', speed: null, timeLeft: null, items: null });
    expect(describeProgress({ phase: 'verify', bytesDone: 2048, bytesTotal: null, itemsDone: 0, itemsTotal: null, rate: 0, eta: null })).toEqual({
      percent: null,
      amount: '2.0 KiB read',
      speed: null,
      timeLeft: null,
      items: null,
    });
  });

  it('never passes 100 %', () => {
    expect(describeProgress({ phase: 'import', bytesDone: 11, bytesTotal: 10, itemsDone: 0, itemsTotal: null, rate: 1, eta: 0 }).percent).toBe(100);
  });
});

describe('signers and dates', () => {
  it('groups a key fingerprint in fours for reading aloud', () => {
    expect(groupFingerprint('19e3e180acaffecf')).toBe('19e3 e180 acaf fecf');
    expect(describeSigner({ kind: 'key', keyHint: 'hint', fingerprint: 'abcd1234' })).toEqual({ label: 'Signing key fingerprint (SHA-256)', value: 'abcd 1234', detail: 'key hint hint' });
  });

  it('shows a keyless signer by identity and issuer', () => {
    expect(describeSigner({ kind: 'keyless', subject: 'ci@acme.example', issuer: 'https://issuer.example', certificateSha256: '0'.repeat(64) })).toEqual({
      label: 'Signer identity',
      value: 'ci@acme.example',
      detail: 'issued by https://issuer.example',
    });
  });

  it('writes dates unambiguously in UTC', () => {
    expect(formatDate('2026-02-01T10:00:00Z')).toBe('1 Feb 2026, 10:00 UTC');
    expect(formatDate('not a date')).toBe('not a date');
  });
});
