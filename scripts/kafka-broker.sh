#!/usr/bin/env bash
# The one launcher of the test broker: Apache Kafka (installed by scripts/setup.sh into
# .tools/kafka), a single KRaft node that is both broker and controller, on loopback.
# The tests, the benchmarks (through crates/test-support) and scripts/demo.sh all start it
# here. It runs in the foreground (exec), logging to standard output, until killed.
#
#   scripts/kafka-broker.sh --dir DIR --port PORT [--controller-port PORT] [--heap SIZE]
#                           [--set KEY=VALUE]...
#
#   --dir              the node's folder: server.properties is written there and its log
#                      directory (DIR/data) is formatted on first use, then reused, so a
#                      broker restarted on the same folder keeps its topics and offsets
#   --port             the PLAINTEXT listener on 127.0.0.1 (clients, inter-broker)
#   --controller-port  the KRaft controller's listener (default PORT+1)
#   --heap             the JVM heap (default 512m)
#   --set KEY=VALUE    any broker setting, after the defaults below (so it overrides them):
#                      more listeners (SSL, SASL_SSL), their keys, timeouts
#
# Example: scripts/kafka-broker.sh --dir /tmp/kafka --port 9092 >/tmp/kafka.log 2>&1 &
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${DKC_TOOLS:-$ROOT/.tools}
KAFKA_LIB=$TOOLS/kafka/lib
JAVA=${JAVA:-java}

dir= port= controller_port= heap=512m
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --controller-port) controller_port=$2; shift 2 ;;
    --heap) heap=$2; shift 2 ;;
    --set) extra+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kafka-broker.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$dir" ] || [ -z "$port" ]; then
  echo "kafka-broker.sh: --dir and --port are required (see --help)" >&2
  exit 2
fi
controller_port=${controller_port:-$((port + 1))}
if [ ! -d "$KAFKA_LIB" ]; then
  echo "kafka-broker.sh: Apache Kafka is not installed in $TOOLS/kafka: run scripts/setup.sh --broker-only" >&2
  exit 2
fi
mkdir -p "$dir/data"
dir=$(cd "$dir" && pwd)

# A test node: one replica of everything, groups formed at once (Kafka waits 3 s for more
# members by default, which every test would pay), everything else as Kafka ships it.
{
  cat <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  for kv in "${extra[@]}"; do printf '%s\n' "$kv"; done
} >"$dir/server.properties"

CP="$KAFKA_LIB/*"
LOG_CONFIG=-Dlog4j2.configurationFile=$ROOT/scripts/kafka/log4j2.properties
# A cluster id is 16 random bytes in URL-safe base64, what `kafka-storage random-uuid` prints.
# Like Kafka's Uuid.randomUuid, draw again while it starts with '-': the tool's argument
# parser takes such a value for an option ("--cluster-id: expected one argument"), which
# failed one broker start in 64.
cluster_id=-
while [ "${cluster_id#-}" != "$cluster_id" ]; do
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
done
if [ ! -f "$dir/data/meta.properties" ]; then
  "$JAVA" "$LOG_CONFIG" -cp "$CP" kafka.tools.StorageTool format --ignore-formatted \
    --cluster-id "$cluster_id" \
    --config "$dir/server.properties" >"$dir/format.log" 2>&1 ||
    { cat "$dir/format.log" >&2; exit 1; }
fi

# Kafka's own JVM settings (bin/kafka-server-start.sh, kafka-run-class.sh) with a small heap.
exec "$JAVA" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
  -Djava.awt.headless=true "$LOG_CONFIG" -cp "$CP" kafka.Kafka "$dir/server.properties"
