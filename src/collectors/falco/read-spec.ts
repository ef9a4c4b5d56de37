/**
 * Falco alert columns. output_fields is kept as JSON: its keys contain dots ("evt.time") and
 * depend on the rule; the land SQL extracts them with json_extract (evt.time stays exact, never a float).
 */
export const FALCO_COLUMNS: Record<string, string> = {
  uuid: 'VARCHAR',
  time: 'VARCHAR',
  rule: 'VARCHAR',
  priority: 'VARCHAR',
  source: 'VARCHAR',
  hostname: 'VARCHAR',
  output: 'VARCHAR',
  tags: 'VARCHAR[]',
  output_fields: 'JSON',
};
