#!/usr/bin/env bash
# Runs one Kafka JVM and guarantees it dies with the Node process that started it.
# A watcher polls the parent's pid: when Node exits for any reason (even SIGKILL) the JVM is terminated
# (SIGTERM, then SIGKILL after the grace period). SIGTERM to this script stops the JVM the same way;
# SIGUSR1 kills it at once (a broker crash, for failure tests).
# (Polling rather than waiting for EOF on stdin: Node's stdio pipes can leak into its later children,
# which would keep the pipe open after Node is gone.)
# Usage: jvm-watchdog.sh <grace-seconds> <java> <jvm args...>
grace="$1"; shift
parent=$PPID
"$@" </dev/null &
jvm=$!
stop_jvm() {
  kill -TERM "$jvm" 2>/dev/null
  for _ in $(seq 1 $((grace * 10))); do kill -0 "$jvm" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$jvm" 2>/dev/null
}
# the watcher (a forked copy of this script) goes too, before this script exits: otherwise it outlives the
# stop for up to its 0.5 s poll (seen by the Ctrl-C test as a broker process left behind)
stop_watcher() { [ -n "${watcher:-}" ] && { kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null; }; }
trap 'stop_jvm; stop_watcher; exit 143' TERM INT HUP
trap 'kill -KILL "$jvm" 2>/dev/null; wait "$jvm"; stop_watcher; exit 137' USR1  # a simulated crash
(
  while kill -0 "$parent" 2>/dev/null && kill -0 "$jvm" 2>/dev/null; do sleep 0.5; done
  stop_jvm
) </dev/null &
watcher=$!
wait "$jvm"
status=$?
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null  # gone before this script exits: nothing of the broker outlives its stop
exit "$status"
