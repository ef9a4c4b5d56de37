import type { ColumnDoc, TableDoc } from './schema.js';

/**
 * case.yaml as tables, rewritten from the file each time podtrail opens the case, so the SQL views
 * can read the window, tolerance, egress map, endpoints and declared clock offsets.
 */
const c = (name: string, type: string, doc: string): ColumnDoc => ({ name, type, doc });

export const CASE_TABLES: TableDoc[] = [
  {
    name: 'case_settings',
    kind: 'case table',
    doc: 'The case window and join settings from case.yaml (one row).',
    key: ['case_id'],
    columns: [
      c('case_id', 'VARCHAR', 'case_id.'),
      c('window_from', 'TIMESTAMP', 'Window start (UTC).'),
      c('window_to', 'TIMESTAMP', 'Window end (UTC).'),
      c('margin_seconds', 'DOUBLE', 'Margin around the window, seconds.'),
      c('tolerance_seconds', 'DOUBLE', 'Clock tolerance for joins, seconds.'),
      c('expected_gap_floor_seconds', 'DOUBLE', 'Expected-gap floor for the gaps checks, seconds.'),
      c('expected_gap_ceiling_seconds', 'DOUBLE', 'Expected-gap ceiling, seconds.'),
      c('namespaces', 'VARCHAR[]', 'Namespaces in scope (empty: all).'),
      c('reason', 'VARCHAR', 'Rationale of the window.'),
    ],
  },
  {
    name: 'case_egress',
    kind: 'case table',
    doc: 'The egress map of case.yaml: one row per public address block and node or subnet behind it.',
    key: ['label', 'public_cidr', 'node_name', 'subnet_cidr'],
    columns: [
      c('label', 'VARCHAR', 'NAT or egress label.'),
      c('public_cidr', 'VARCHAR', 'Public IP or CIDR.'),
      c('public_lo', 'UHUGEINT', 'First address of the block as a number (pt_ip_int: IPv6\'s space, IPv4 IPv4-mapped).'),
      c('public_hi', 'UHUGEINT', 'Last address of the block (pt_ip_int).'),
      c('node_name', 'VARCHAR', 'A node behind it (NULL on subnet rows).'),
      c('subnet_cidr', 'VARCHAR', 'A subnet behind it (NULL on node rows).'),
      c('subnet_lo', 'UHUGEINT', 'First address of the subnet (pt_ip_int).'),
      c('subnet_hi', 'UHUGEINT', 'Last address of the subnet (pt_ip_int).'),
    ],
  },
  {
    name: 'case_endpoints',
    kind: 'case table',
    doc: 'Cloud service endpoints of case.yaml: connects to these addresses are calls to that service.',
    key: ['service', 'cidr'],
    columns: [
      c('service', 'VARCHAR', 'eventSource served there ("*" for any).'),
      c('cidr', 'VARCHAR', 'Address or CIDR.'),
      c('lo', 'UHUGEINT', 'First address as a number (pt_ip_int: IPv6\'s space, IPv4 IPv4-mapped).'),
      c('hi', 'UHUGEINT', 'Last address (pt_ip_int).'),
      c('vpc_endpoint_id', 'VARCHAR', 'VPC endpoint id, when declared.'),
    ],
  },
  {
    name: 'case_node_offsets',
    kind: 'case table',
    doc: 'Clock offsets declared in case.yaml (node clock minus true time).',
    key: ['node_name'],
    columns: [c('node_name', 'VARCHAR', 'Node.'), c('offset_seconds', 'DOUBLE', 'Declared offset, seconds.')],
  },
  {
    name: 'case_sensors',
    kind: 'case table',
    doc: 'Runtime sensors declared in case.yaml (sensors): what a sensor podtrail did not deploy is known to report, so its silence can count.',
    key: ['sensor', 'node_name'],
    columns: [
      c('sensor', 'VARCHAR', 'falco.'),
      c('node_name', 'VARCHAR', 'Node it runs on; NULL for every node.'),
      c('alerts_every_outbound_connect', 'BOOLEAN', 'Its rule set alerts on every outbound connect (pods and host): a node\'s silence means no connect.'),
    ],
  },
];
