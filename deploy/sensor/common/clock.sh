#!/bin/sh
# podtrail's node clock reporter (the podtrail-clock container of each sensor pod). Every
# $CLOCK_INTERVAL seconds it prints one JSON line; the kubelet stamps each line with the node's own
# clock (pods/log with timestamps=true), and podtrail compares that stamp with the API server's
# clock (the Date of the same response). The line says what the host shows of its time
# synchronization under /run (mounted read-only; this container runs as nobody, without
# capabilities):
#   timesyncd                   /run/systemd/timesync exists (systemd-timesyncd has run)
#   timesyncd_synchronized_at   mtime of /run/systemd/timesync/synchronized, written at each
#                               synchronization (absent: never synchronized since boot)
#   chronyd                     /run/chrony exists (chronyd runs; its state is not readable here)
#   ntpd                        /run/ntpd.pid exists
i="${CLOCK_INTERVAL:-30}"
while :; do
  s=null
  if [ -e /host/run/systemd/timesync/synchronized ]; then s="$(stat -c %Y /host/run/systemd/timesync/synchronized 2>/dev/null || echo null)"; fi
  t=false; [ -d /host/run/systemd/timesync ] && t=true
  c=false; [ -d /host/run/chrony ] && c=true
  n=false; [ -e /host/run/ntpd.pid ] && n=true
  printf '{"podtrail":"node-clock/v1","node":"%s","date":"%s","timesyncd":%s,"timesyncd_synchronized_at":%s,"chronyd":%s,"ntpd":%s}\n' \
    "$NODE_NAME" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$t" "$s" "$c" "$n"
  sleep "$i"
done
