import type { ScenarioSpec } from '../world.js';
import * as irsaExfil from './irsa-exfil.js';
import * as podIdentity from './pod-identity.js';
import * as imdsNodeRole from './imds-node-role.js';
import * as staticKeysNat from './static-keys-nat.js';
import * as churn from './churn.js';
import * as gaps from './gaps.js';
import * as mixed from './mixed.js';
import * as relayEgress from './relay-egress.js';
import * as natPublic from './nat-public.js';

/** The scenario registry, in the order `podtrail generate --list` prints it. */
export interface ScenarioEntry {
  name: string;
  description: string;
  build(seed: number): ScenarioSpec;
}

export const SCENARIOS: readonly ScenarioEntry[] = [
  { name: 'irsa-exfil', ...irsaExfil },
  { name: 'pod-identity', ...podIdentity },
  { name: 'imds-node-role', ...imdsNodeRole },
  { name: 'static-keys-nat', ...staticKeysNat },
  { name: 'churn', ...churn },
  { name: 'gaps', ...gaps },
  { name: 'mixed', ...mixed },
  { name: 'relay-egress', ...relayEgress },
  { name: 'nat-public', ...natPublic },
];

export function findScenario(name: string): ScenarioEntry | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
