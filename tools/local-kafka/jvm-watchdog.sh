#!/usr/bin/env bash
# Runs one Kafka JVM and guarantees it dies with the Node process that started it.
# Node holds our stdin pipe; when Node exits for any reason (even SIGKILL) the pipe closes, `cat` sees EOF
# and the JVM is terminated (SIGTERM, then SIGKILL after a grace period). SIGTERM to this script stops it too.
# Usage: jvm-watchdog.sh <grace-seconds> <java> <jvm args...>
grace="$1"; shift
"$@" </dev/null 3<&- &
jvm=$!
stop_jvm() {
  kill -TERM "$jvm" 2>/dev/null
  for _ in $(seq 1 $((grace * 10))); do kill -0 "$jvm" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$jvm" 2>/dev/null
}
trap 'stop_jvm; exit 143' TERM INT HUP
exec 3<&0
( cat <&3 >/dev/null; stop_jvm ) &
watcher=$!
wait "$jvm"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"
