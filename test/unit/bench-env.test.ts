import { afterEach, describe, expect, it, vi } from 'vitest';
import { benchEnv, runOnce, STARTUP_SETTINGS } from '../bench/lib.js';

describe('the environment benchmarked commands run in', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('leaves out the settings that add start-up work to every Node process, keeps the rest', () => {
    vi.stubEnv('NODE_EXTRA_CA_CERTS', '/etc/ssl/certs/ca-certificates.crt');
    vi.stubEnv('NODE_OPTIONS', '--max-old-space-size=100');
    vi.stubEnv('CIGEN_BENCH_KEPT', 'yes');
    const env = benchEnv();
    expect(STARTUP_SETTINGS).toEqual(['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS']);
    expect(env).not.toHaveProperty('NODE_EXTRA_CA_CERTS');
    expect(env).not.toHaveProperty('NODE_OPTIONS');
    expect(env.CIGEN_BENCH_KEPT).toBe('yes');
    expect(env.PATH).toBe(process.env.PATH);
  });

  it('sets what a command asks for, a start-up setting included (to measure what it costs)', () => {
    vi.stubEnv('NODE_EXTRA_CA_CERTS', '/a.crt');
    expect(benchEnv({ NODE_EXTRA_CA_CERTS: '/b.crt', X: '1' })).toMatchObject({ NODE_EXTRA_CA_CERTS: '/b.crt', X: '1' });
  });

  it('is what a measured command sees', () => {
    vi.stubEnv('NODE_OPTIONS', '--no-warnings');
    vi.stubEnv('CIGEN_BENCH_KEPT', 'seen');
    const script = 'process.stdout.write(JSON.stringify([process.env.NODE_OPTIONS ?? null, process.env.CIGEN_BENCH_KEPT]))';
    expect(JSON.parse(runOnce({ argv: [process.execPath, '-e', script] }).stdout)).toEqual([null, 'seen']);
    const asked = runOnce({ argv: [process.execPath, '-e', script], env: { NODE_OPTIONS: '--no-warnings' } });
    expect(JSON.parse(asked.stdout)).toEqual(['--no-warnings', 'seen']);
  });
});
