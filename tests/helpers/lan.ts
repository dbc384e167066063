/**
 * A second host on a network of its own, for what a browser does at a
 * non-loopback address (a phone on the LAN): a network namespace joined to
 * this machine by a veth pair, and Debian's Chromium started inside it.
 * Chromium treats every loopback address (127.0.0.2 too) as a secure origin,
 * so only an address like this one shows what a phone sees. Needs root and iproute2.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM } from './browser';

/** Every namespace made here is named this and the pid of the test process that made it. */
const PREFIX = 'wallet-lan-';
/** The link's /30 is taken from 10.231.0.0/16: a private range nothing else here uses. */
const SUBNET = '10.231';

export interface Lan {
  namespace: string;
  /** This machine's address on the link: where the server listens, and what the browser opens. */
  hostAddress: string;
  /** The namespace's own address: the phone's. */
  peerAddress: string;
  /** A script that runs Debian's Chromium inside the namespace (for launchChromium). */
  chromium: string;
  /** Removes the namespace (its end of the veth pair takes the other with it) and the script. */
  remove(): void;
}

/** Why no namespace can be made here, or false when one can. */
export function lanUnavailable(): string | false {
  if (process.getuid?.() !== 0) return 'a network namespace needs root (ip netns add)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'ip not found; apt-get install iproute2';
  return false;
}

/** CI set as scripts/test-reporter.js reads it: there a test that cannot run is a failure, not a skip. */
export function ciIsSet(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function ipIfThere(...args: string[]): void {
  spawnSync('ip', args, { stdio: 'ignore' });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Namespaces left by a test process that was killed before its `after` ran. */
function removeLeftovers(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0];
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    if (Number.isInteger(pid) && !alive(pid)) ipIfThere('netns', 'delete', name);
  }
}

/** The first 10.231.N.0/30 with no address of this machine in it. */
function freeSubnet(): string {
  const taken = ip('-o', '-4', 'addr', 'show');
  for (let n = 0; n < 256; n++) {
    if (!taken.includes(` ${SUBNET}.${n}.`)) return `${SUBNET}.${n}`;
  }
  throw new Error(`no free /30 left in ${SUBNET}.0.0/16`);
}

export function createLan(): Lan {
  const namespace = `${PREFIX}${process.pid}`;
  // Interface names are at most 15 characters.
  const hostSide = `wlh${process.pid}`;
  const peerSide = `wln${process.pid}`;
  removeLeftovers();
  ipIfThere('netns', 'delete', namespace);
  ipIfThere('link', 'delete', hostSide);
  const subnet = freeSubnet();
  const hostAddress = `${subnet}.1`;
  const peerAddress = `${subnet}.2`;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-lan-'));
  const remove = () => {
    ipIfThere('netns', 'delete', namespace);
    ipIfThere('link', 'delete', hostSide);
    fs.rmSync(folder, { recursive: true, force: true });
  };
  try {
    ip('netns', 'add', namespace);
    ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', peerSide, 'netns', namespace);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', hostSide);
    ip('link', 'set', hostSide, 'up');
    ip('-n', namespace, 'addr', 'add', `${peerAddress}/30`, 'dev', peerSide);
    ip('-n', namespace, 'link', 'set', peerSide, 'up');
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
  } catch (error) {
    remove();
    throw error;
  }
  // playwright-core talks to Chromium over inherited pipes, which `ip netns exec` keeps open.
  const chromium = path.join(folder, 'chromium');
  fs.writeFileSync(chromium, `#!/bin/sh\nexec ip netns exec ${namespace} ${CHROMIUM} "$@"\n`, {
    mode: 0o755,
  });
  return { namespace, hostAddress, peerAddress, chromium, remove };
}
