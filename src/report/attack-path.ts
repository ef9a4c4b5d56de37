import type { ActorFinding, AttackPath, SvgBox } from './model.js';
import { byteOrder, shorten } from './format.js';

/** Columns of the attack-path view (viewBox units): pod, node, principal/session, actions. */
const COL = { pod: { x: 2, w: 190 }, node: { x: 214, w: 180 }, session: { x: 416, w: 262 }, actions: { x: 700, w: 296 } } as const;
const ROW = 58;
const BOX = 50;
export const MAX_PATH_ROWS = 5;
export const MAX_PATHS = 6;

function box(col: { x: number; w: number }, y: number, lines: string[], title: string, boxClass: string, chars: number): SvgBox {
  return {
    x: col.x,
    y,
    width: col.w,
    height: BOX,
    lines: lines.filter(Boolean).slice(0, 3).map((text, i) => ({ x: col.x + 6, y: y + 15 + i * 14, text: shorten(text, chars) })),
    title,
    box_class: boxClass,
  };
}

interface Row {
  session: string[];
  sessionTitle: string;
  actions: string[];
  actionsTitle: string;
  outside: boolean;
}

/** Calls of a session as "call xN" in first-use order, and the addresses that used its key from outside. */
function rowsOf(f: ActorFinding): Row[] {
  const rows: Row[] = [];
  const usedKeys = new Set<string>();
  for (const b of f.sessions) {
    const counts = new Map<string, number>();
    for (const c of b.calls) counts.set(`${c.action}${c.outcome === 'ok' ? '' : ` (${c.outcome})`}${c.as_candidate ? ' (candidate)' : ''}`, (counts.get(`${c.action}${c.outcome === 'ok' ? '' : ` (${c.outcome})`}${c.as_candidate ? ' (candidate)' : ''}`) ?? 0) + 1);
    const outside = f.outside_uses.filter((o) => o.credential === b.access_key_id);
    usedKeys.add(b.access_key_id);
    const addresses = [...new Set(outside.map((o) => o.source_ip))].sort(byteOrder);
    const actions = [
      ...addresses.map((a) => `used from ${a} (${outside.filter((o) => o.source_ip === a).length} calls)`),
      ...[...counts.entries()].map(([k, v]) => `${k} x${v}`),
    ];
    rows.push({
      session: [`key ${b.access_key_id}`, b.principal_arn || b.role_arn || '(principal not recorded)', b.has_issuing_event ? `issued by ${b.issuing_event_name}` : b.subject],
      sessionTitle: `${b.access_key_id} ${b.principal_arn} ${b.subject}`,
      actions: actions.length > 3 ? [...actions.slice(0, 2), `and ${actions.length - 2} more`] : actions,
      actionsTitle: actions.join('; '),
      outside: addresses.length > 0,
    });
  }
  const others = [...new Set(f.outside_uses.filter((o) => !usedKeys.has(o.credential)).map((o) => o.credential))].sort(byteOrder);
  for (const cred of others) {
    const uses = f.outside_uses.filter((o) => o.credential === cred);
    const addresses = [...new Set(uses.map((o) => o.source_ip))].sort(byteOrder);
    const calls = [...new Set(uses.map((o) => o.action))];
    rows.push({
      session: [cred, uses[0]!.as_candidate ? 'the service account\'s credential' : `owned: ${uses[0]!.owned_by}`, ''],
      sessionTitle: cred,
      actions: [`used from ${addresses.join(', ')}`, calls.join(', ')],
      actionsTitle: uses.map((o) => `${o.action} from ${o.source_ip}`).join('; '),
      outside: true,
    });
  }
  return rows;
}

/** pod -> node -> principal/session -> actions, for each detailed pod finding with cloud activity. */
export function buildAttackPaths(findings: readonly ActorFinding[]): AttackPath[] {
  const out: AttackPath[] = [];
  for (const f of findings) {
    if (!f.pod || out.length >= MAX_PATHS) continue;
    const rows = rowsOf(f).slice(0, MAX_PATH_ROWS);
    if (rows.length === 0) continue;
    const height = rows.length * ROW;
    const topY = (height - BOX) / 2;
    const pod = box(COL.pod, topY, ['pod', `${f.pod.namespace}/${f.pod.name}`, f.pod.pod_uid], `pod ${f.pod.namespace}/${f.pod.name} UID ${f.pod.pod_uid}`, 'box-pod', 30);
    const node = box(COL.node, topY, ['node', f.pod.node, f.pod.paths.length ? `paths ${f.pod.paths.join(', ')}` : 'no decided call'], `node ${f.pod.node}`, 'box-node', 28);
    const sessions = rows.map((r, i) => ({
      box: box(COL.session, i * ROW + 4, r.session, r.sessionTitle, 'box-session', 42),
      actions: box(COL.actions, i * ROW + 4, r.actions, r.actionsTitle, r.outside ? 'box-outside' : 'box-actions', 48),
      mid: i * ROW + 4 + BOX / 2,
    }));
    const podMid = topY + BOX / 2;
    out.push({
      rank: f.rank,
      label: f.label,
      height,
      boxes: [pod, node, ...sessions.flatMap((x) => [x.box, x.actions])],
      links: [
        { x1: COL.pod.x + COL.pod.w, y1: podMid, x2: COL.node.x, y2: podMid },
        ...sessions.flatMap((x) => [
          { x1: COL.node.x + COL.node.w, y1: podMid, x2: COL.session.x, y2: x.mid },
          { x1: COL.session.x + COL.session.w, y1: x.mid, x2: COL.actions.x, y2: x.mid },
        ]),
      ],
      text: rows.map((r) => `${f.pod!.namespace}/${f.pod!.name} -> ${f.pod!.node} -> ${r.session.filter(Boolean).join(', ')} -> ${r.actionsTitle}`),
    });
  }
  return out;
}
