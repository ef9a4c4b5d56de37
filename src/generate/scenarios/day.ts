import { type Ns, nsFromIso } from '../ns-time.js';

/** The fixed day every scenario happens on, and its standard evidence span, window and snapshots. */

export const at = (hhmmss: string): Ns => nsFromIso(`2026-10-20T${hhmmss}Z`);

/** Evidence exists from 07:30 to 11:00 UTC. */
export const SPAN = { from: at('07:30:00'), to: at('11:00:00') };

export const WINDOW_FROM = at('08:00:00');
export const WINDOW_TO = at('10:30:00');

/** kubectl snapshots taken during the response. */
export const SNAPSHOTS = [at('07:50:00'), at('08:50:00'), at('09:50:00'), at('10:50:00')];

export const MARGIN_S = 900;
export const TOLERANCE_S = 5;

export const ATTACKER_IPS = ['203.0.113.77', '203.0.113.142', '203.0.113.9'];
