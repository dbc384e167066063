import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config';

const refusesNaming = (variable: string) => (error: unknown) =>
  error instanceof ConfigError && error.variable === variable && error.message.startsWith(variable);

describe('configuration', () => {
  it('has the contract defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 4000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.databaseUrl, 'sqlite:./data/wallet.sqlite');
    assert.equal(config.sessionIdleTimeoutMs, 1_800_000);
    assert.equal(config.defaultCurrency, 'USD');
    assert.equal(config.lockTimeoutMs, 2000);
    assert.equal(config.loginMaxFailures, 10);
    assert.equal(config.loginMaxFailuresPerAddress, 100);
    assert.equal(config.signupRatePerHour, 100);
    assert.equal(config.emailLookupsPerHour, 100);
    assert.equal(config.statementDownloadsPerHour, 60);
    assert.equal(config.webhookRetryScale, 1);
    assert.equal(config.webhookTimeoutMs, 15_000);
    assert.equal(config.webhooksAllowPrivateUrls, false);
    assert.equal(config.dbPoolSize, 10);
    assert.equal(config.trustProxy, false);
    assert.equal(config.metricsToken, null);
    assert.equal(config.sessionAbsoluteTimeoutMs, 604_800_000);
  });

  it('reads TRUST_PROXY as a number of proxies or their addresses, never "trust everything"', () => {
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy;
    assert.equal(trust('false'), false);
    assert.equal(trust('0'), false);
    assert.equal(trust('true'), 1, 'true is one proxy: the rightmost address is its');
    assert.equal(trust('2'), 2);
    assert.deepEqual(trust('10.0.0.1, 10.1.0.0/16,::1,fd00::/8'), [
      '10.0.0.1',
      '10.1.0.0/16',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of [
      'maybe',
      '11',
      '10.0.0.1/33',
      '::1/129',
      '10.0.0.1/8/8',
      'proxy.local',
      '10.0.0.1,',
    ]) {
      assert.throws(() => trust(bad), refusesNaming('TRUST_PROXY'), bad);
    }
  });

  it('takes a METRICS_TOKEN only when it is long enough to guard anything', () => {
    assert.equal(
      loadConfig({ METRICS_TOKEN: 'a-token-of-24-characters' }).metricsToken,
      'a-token-of-24-characters',
    );
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), refusesNaming('METRICS_TOKEN'));
  });

  it('names the variable of a bad value', () => {
    assert.throws(() => loadConfig({ PORT: 'abc' }), refusesNaming('PORT'));
    assert.throws(() => loadConfig({ PORT: '70000' }), refusesNaming('PORT'));
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), refusesNaming('DATABASE_URL'));
    assert.throws(() => loadConfig({ DEFAULT_CURRENCY: 'us1' }), refusesNaming('DEFAULT_CURRENCY'));
    assert.equal(loadConfig({ DEFAULT_CURRENCY: 'eur' }).defaultCurrency, 'EUR', 'any case');
    assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), refusesNaming('LOG_LEVEL'));
    assert.throws(() => loadConfig({ TRUST_PROXY: 'maybe' }), refusesNaming('TRUST_PROXY'));
    for (const bad of ['0', '-1', 'fast', '1e-3']) {
      assert.throws(
        () => loadConfig({ WEBHOOK_RETRY_SCALE: bad }),
        refusesNaming('WEBHOOK_RETRY_SCALE'),
        bad,
      );
    }
    assert.equal(loadConfig({ WEBHOOK_RETRY_SCALE: '0.001' }).webhookRetryScale, 0.001);
  });

  it('requires SESSION_SECRET in production', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), refusesNaming('SESSION_SECRET'));
    assert.equal(
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'a-long-enough-secret' }).production,
      true,
    );
  });

  it('allows fault injection only outside production', () => {
    assert.equal(loadConfig({}).faultInjection, null);
    assert.deepEqual(loadConfig({ WALLET_FAULT_INJECTION: 'after-commit' }).faultInjection, {
      point: 'after-commit',
      rate: 0.5,
    });
    assert.throws(
      () =>
        loadConfig({
          NODE_ENV: 'production',
          SESSION_SECRET: 'a-long-enough-secret',
          WALLET_FAULT_INJECTION: 'after-locks',
        }),
      refusesNaming('WALLET_FAULT_INJECTION'),
    );
    assert.throws(
      () => loadConfig({ WALLET_FAULT_INJECTION: 'everywhere' }),
      refusesNaming('WALLET_FAULT_INJECTION'),
    );
  });

  it('reads PostgreSQL URLs with or without a password', () => {
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db' }).databaseKind, 'postgres');
    assert.equal(loadConfig({ DATABASE_URL: 'postgresql://u:p@h/db' }).databaseKind, 'postgres');
  });
});
