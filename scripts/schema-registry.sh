#!/usr/bin/env bash
# The one launcher of the test Schema Registry: Karapace (Aiven's Confluent-compatible
# registry, installed by scripts/setup.sh into .tools/karapace), storing its schemas in a
# topic of a Kafka broker. It runs in the foreground (exec) until killed. It is ready when
# GET /subjects answers 200 (503 while it replays its topic, about 2 s).
#
#   scripts/schema-registry.sh --dir DIR --port PORT --bootstrap HOST:PORT
#                              [--topic NAME] [--user USER:PASSWORD] [--tls CERT.pem KEY.pem]
#
#   --dir        the instance's folder: its config (karapace.json) and user file go there
#   --port       the HTTP(S) port on 127.0.0.1
#   --bootstrap  the Kafka broker holding the schemas
#   --topic      the schemas topic (default _schemas); instances sharing a topic and its
#                group form one registry (one is elected primary), others are independent
#   --user       require HTTP basic auth with this one user, allowed everything
#   --tls        serve HTTPS with this PEM certificate and key
#
# Example: scripts/schema-registry.sh --dir /tmp/sr --port 8081 --bootstrap 127.0.0.1:9092 &
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${DKC_TOOLS:-$ROOT/.tools}
KARAPACE=$TOOLS/karapace/bin

dir= port= bootstrap= topic=_schemas user= cert= key=
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --bootstrap) bootstrap=$2; shift 2 ;;
    --topic) topic=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --tls) cert=$2; key=$3; shift 3 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "schema-registry.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$dir" ] || [ -z "$port" ] || [ -z "$bootstrap" ]; then
  echo "schema-registry.sh: --dir, --port and --bootstrap are required (see --help)" >&2
  exit 2
fi
if [ ! -x "$KARAPACE/karapace" ]; then
  echo "schema-registry.sh: Karapace is not installed in $TOOLS/karapace: run scripts/setup.sh" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

auth=
if [ -n "$user" ]; then
  name=${user%%:*} password=${user#*:}
  entry=$("$KARAPACE/karapace_mkpasswd" -u "$name" "$password" "salt-$name")
  printf '{"users":[%s],"permissions":[{"username":"%s","operation":"Write","resource":".*"}]}\n' \
    "$entry" "$name" >"$dir/users.json"
  auth=",\"registry_authfile\":\"$dir/users.json\""
fi
tls=
if [ -n "$cert" ]; then
  tls=",\"server_tls_certfile\":\"$cert\",\"server_tls_keyfile\":\"$key\""
fi
# The group and client ids follow the topic, so that independent instances on one broker
# do not join each other's election.
cat >"$dir/karapace.json" <<JSON
{"advertised_hostname":"127.0.0.1","advertised_port":$port,"bootstrap_uri":"$bootstrap",
 "client_id":"sr-$topic-$port","group_id":"schema-registry-$topic","host":"127.0.0.1","port":$port,
 "registry_host":"127.0.0.1","registry_port":$port,"karapace_registry":true,"karapace_rest":false,
 "log_level":"WARNING","replication_factor":1,"topic_name":"$topic","master_eligibility":true$auth$tls}
JSON
exec "$KARAPACE/karapace" "$dir/karapace.json"
