/**
 * The examples `podtrail <command> --help` prints after the options, one place for every top-level
 * command (the subcommands of `collect` and `sensor` carry theirs beside their options).
 */
export const HELP_EXAMPLES: Record<string, string[]> = {
  collect: ['podtrail collect k8s incident-42 --context prod-eu --watch 2h', 'podtrail collect aws incident-42 --profile ir --region us-west-2'],
  sensor: ['podtrail sensor deploy incident-42 --kind tetragon', 'podtrail sensor collect incident-42 --kind tetragon --for 30m', 'podtrail sensor remove incident-42 --kind tetragon'],
  init: ['podtrail init incident-42 --from 2026-10-20T09:00:00Z --to 2026-10-20T13:00:00Z --namespace payments --reason "exfil alert"'],
  ingest: ['podtrail ingest incident-42 ./tetragon/ ./audit.log.gz ./cloudtrail/', 'podtrail ingest incident-42 ./kubectl-pods.json --snapshot-at 2026-10-20T10:05:00Z'],
  query: [
    "podtrail query incident-42 \"select confidence, count(*) from attributions group by confidence\"",
    'podtrail query incident-42 -f hunt.sql --param since=2026-10-20T09:00:00Z --format ndjson',
  ],
  schema: ['podtrail schema incident-42', 'podtrail schema incident-42 attributions'],
  correlate: ['podtrail correlate incident-42'],
  check: ['podtrail check incident-42 && jq .summary incident-42/validation.json'],
  generate: ['podtrail generate --list', 'podtrail generate --scenario irsa-exfil --seed 7 --out ./irsa-exfil'],
  bundle: ['podtrail bundle incident-42 --key ./analyst.key --out ./incident-42-bundle'],
  verify: ['podtrail verify ./incident-42-bundle --pubkey ./analyst.pub.pem'],
  keygen: ['podtrail keygen --out ./analyst'],
  run: ['podtrail run incident-42 --key ./analyst.key'],
  demo: ['podtrail demo', 'podtrail demo --out ./demo-case'],
  reproduce: ['podtrail reproduce ./incident-42-bundle --inputs ./incident-42/raw --pubkey ./analyst.pub.pem'],
  hunts: ['podtrail hunts'],
  hunt: ['podtrail hunt incident-42 pods-reaching-imds'],
  shell: ['podtrail shell incident-42'],
};

/** The text added after a command's help: its examples, indented as commander indents options. */
export function examplesText(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}
