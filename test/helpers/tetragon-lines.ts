/** Small Tetragon-shaped events for tests of the ingest framework (not a conformance source). */
export function tetragonExec(i: number, o: { time?: string; ns?: string; pod?: string; node?: string } = {}): string {
  const t = o.time ?? `2026-10-20T09:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.123456789Z`;
  return JSON.stringify({
    process_exec: {
      process: {
        exec_id: Buffer.from(`${o.node ?? 'node-a'}:${1000 + i}:${i}`).toString('base64'),
        pid: 1000 + i,
        uid: 0,
        binary: '/usr/bin/curl',
        arguments: `https://example.test/${i}`,
        start_time: t,
        pod: {
          namespace: o.ns ?? 'payments',
          name: o.pod ?? 'api-0',
          container: { id: `containerd://${'a'.repeat(64)}`, name: 'api', image: { id: `docker.io/x/api@sha256:${'b'.repeat(64)}`, name: 'docker.io/x/api:1' } },
        },
      },
    },
    node_name: o.node ?? 'node-a',
    time: t,
  });
}

export function tetragonLines(n: number, o: Parameters<typeof tetragonExec>[1] = {}): string[] {
  return Array.from({ length: n }, (_, i) => tetragonExec(i, o));
}
