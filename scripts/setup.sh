#!/usr/bin/env bash
# Installs what the tests and the demo need, into the project-local tools folder
# (.tools/, or $DKC_TOOLS), reusing whatever is already there:
#   - Apache Kafka's released broker jars from Maven Central (scripts/kafka/pom.xml,
#     about 55 MB, seconds), run by scripts/kafka-broker.sh; Debian's headless JRE if no
#     Java is installed
#   - Apache Kafka's own Single Message Transforms (connect-transforms, connect-api and
#     connect-json at the broker's version, scripts/smt-harness/pom.xml, about 23 MB) and
#     SmtHarness.java compiled against them (Debian's headless JDK if javac is missing): the
#     tests' referee for our transforms, never shipped
#   - the official Diffusion Python SDK in a venv (tests only; never shipped), with
#     confluent-kafka for the benchmark's Python bridge and kafka-connect-py (`kc`), a
#     third-party Connect REST client the tests drive against the worker
#   - the official Diffusion JavaScript SDK from npm (tests only; never shipped)
#   - the official Diffusion Java SDK from Maven Central (diffusion-client-with-dependencies,
#     one jar of about 5.5 MB, scripts/java-sdk/pom.xml) and DiffusionJavaCheck.java compiled
#     against it: a third independent client of the embedded server (tests only; never shipped)
#   - Debian's chromium and playwright-core from npm, for the /ui page test
#   - Karapace 3.15.0 (Aiven's Apache-2.0 Confluent-compatible Schema Registry, vendored in
#     third_party/ because no release of it is on PyPI) in its own venv, run by
#     scripts/schema-registry.sh; and confluent-kafka with its Avro, JSON Schema and
#     Protobuf serdes in another venv: the tests' registry and referee, never shipped
#   - Debian's valgrind, for bench/profile.sh (the sink's instructions per record)
# Usage: scripts/setup.sh [--broker-only]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${DKC_TOOLS:-$ROOT/.tools}
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/scripts/kafka/pom.xml")
PY_SDK_VERSION=6.12.2
JS_SDK_VERSION=6.12.1
JAVA_SDK_VERSION=6.11.5
PLAYWRIGHT_VERSION=1.49.1
CONFLUENT_KAFKA_VERSION=2.6.1
KAFKA_CONNECT_PY_VERSION=1.0.0
KARAPACE_VERSION=3.15.0
SR_REFEREE_VERSION=2.16.1
mkdir -p "$TOOLS"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

apt_updated=
ensure_cmd() { # ensure_cmd COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2 (for $1)"
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# Building librdkafka (through the rdkafka crate) needs a C toolchain, make and perl.
ensure_cmd cc gcc
ensure_cmd c++ g++
ensure_cmd make make
ensure_cmd perl perl
ensure_cmd python3 python3
# librdkafka is built with TLS (SSL and SASL SCRAM to brokers) against the system OpenSSL.
ensure_cmd pkg-config pkg-config
if ! dpkg -s libssl-dev >/dev/null 2>&1; then
  log "installing libssl-dev (librdkafka's TLS and SCRAM)"
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev >/dev/null
fi

# The test broker: Apache Kafka 4.x needs Java 17 or newer.
if ! command -v java >/dev/null 2>&1; then
  log "no Java found: installing Debian's headless JRE (openjdk-17-jre-headless) for the test broker"
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
if [ ! -f "$TOOLS/kafka/.version-$KAFKA_VERSION" ]; then
  ensure_cmd mvn maven
  log "installing Apache Kafka $KAFKA_VERSION (broker jars from Maven Central) into $TOOLS/kafka"
  rm -rf "$TOOLS/kafka"
  mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$TOOLS/kafka/lib"
  touch "$TOOLS/kafka/.version-$KAFKA_VERSION"
fi

[ "${1:-}" = "--broker-only" ] && exit 0

# The SMT referee: Apache Kafka's own Single Message Transforms, at the broker's version, run
# by scripts/smt-harness/SmtHarness.java on JSON cases (crates/test-support/src/smt.rs).
if [ ! -f "$TOOLS/smt-harness/.version-$KAFKA_VERSION" ]; then
  ensure_cmd mvn maven
  log "installing Apache Kafka's Single Message Transforms $KAFKA_VERSION (connect-transforms, for the tests) into $TOOLS/smt-harness"
  rm -rf "$TOOLS/smt-harness"
  mvn -q -B -f "$ROOT/scripts/smt-harness/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$TOOLS/smt-harness/lib"
  touch "$TOOLS/smt-harness/.version-$KAFKA_VERSION"
fi
if [ ! -f "$TOOLS/smt-harness/classes/.compiled" ] ||
   [ "$ROOT/scripts/smt-harness/SmtHarness.java" -nt "$TOOLS/smt-harness/classes/.compiled" ]; then
  ensure_cmd javac openjdk-17-jdk-headless
  log "compiling the SMT referee (scripts/smt-harness/SmtHarness.java) into $TOOLS/smt-harness/classes"
  rm -rf "$TOOLS/smt-harness/classes"
  javac -cp "$TOOLS/smt-harness/lib/*" -d "$TOOLS/smt-harness/classes" \
    "$ROOT/scripts/smt-harness/SmtHarness.java"
  touch "$TOOLS/smt-harness/classes/.compiled"
fi

# The official Diffusion Java SDK (diffusion-client itself is not on Maven Central; the
# with-dependencies jar is), run by scripts/java-sdk/DiffusionJavaCheck.java
# (crates/diffusion-server/tests/sdk_java.rs).
if [ ! -f "$TOOLS/java-sdk/.version-$JAVA_SDK_VERSION" ]; then
  ensure_cmd mvn maven
  log "installing the official Diffusion Java SDK $JAVA_SDK_VERSION (Maven Central, for the tests) into $TOOLS/java-sdk"
  rm -rf "$TOOLS/java-sdk"
  mvn -q -B -f "$ROOT/scripts/java-sdk/pom.xml" dependency:copy-dependencies \
    -Ddiffusion.version="$JAVA_SDK_VERSION" -DincludeScope=runtime -DoutputDirectory="$TOOLS/java-sdk/lib"
  touch "$TOOLS/java-sdk/.version-$JAVA_SDK_VERSION"
fi
if [ ! -f "$TOOLS/java-sdk/classes/.compiled" ] ||
   [ "$ROOT/scripts/java-sdk/DiffusionJavaCheck.java" -nt "$TOOLS/java-sdk/classes/.compiled" ]; then
  ensure_cmd javac openjdk-17-jdk-headless
  log "compiling the Java SDK check (scripts/java-sdk/DiffusionJavaCheck.java) into $TOOLS/java-sdk/classes"
  rm -rf "$TOOLS/java-sdk/classes"
  javac -cp "$TOOLS/java-sdk/lib/*" -d "$TOOLS/java-sdk/classes" \
    "$ROOT/scripts/java-sdk/DiffusionJavaCheck.java"
  touch "$TOOLS/java-sdk/classes/.compiled"
fi

if [ ! -f "$TOOLS/venv/.diffusion-$PY_SDK_VERSION" ]; then
  log "installing the official Diffusion Python SDK $PY_SDK_VERSION into $TOOLS/venv"
  if ! python3 -m venv "$TOOLS/venv" 2>/dev/null; then
    log "installing python3-venv"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$TOOLS/venv"
  fi
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "diffusion==$PY_SDK_VERSION"
  touch "$TOOLS/venv/.diffusion-$PY_SDK_VERSION"
fi
if [ ! -f "$TOOLS/venv/.confluent-kafka-$CONFLUENT_KAFKA_VERSION" ]; then
  log "installing confluent-kafka $CONFLUENT_KAFKA_VERSION into $TOOLS/venv (the benchmark's Python bridge)"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "confluent-kafka==$CONFLUENT_KAFKA_VERSION"
  touch "$TOOLS/venv/.confluent-kafka-$CONFLUENT_KAFKA_VERSION"
fi

if [ ! -f "$TOOLS/venv/.kafka-connect-py-$KAFKA_CONNECT_PY_VERSION" ]; then
  log "installing kafka-connect-py $KAFKA_CONNECT_PY_VERSION into $TOOLS/venv (its kc command drives the REST API in a test)"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "kafka-connect-py==$KAFKA_CONNECT_PY_VERSION"
  touch "$TOOLS/venv/.kafka-connect-py-$KAFKA_CONNECT_PY_VERSION"
fi

# The Schema Registry: Karapace's pins from its requirements.in at the tag, with PyPI's avro
# standing in for Aiven's fork (not downloadable here). Its own venv: it needs protobuf 3.
if [ ! -f "$TOOLS/karapace/.karapace-$KARAPACE_VERSION" ]; then
  log "installing Karapace $KARAPACE_VERSION (Schema Registry) into $TOOLS/karapace"
  rm -rf "$TOOLS/karapace"
  python3 -m venv "$TOOLS/karapace"
  "$TOOLS/karapace/bin/pip" install --quiet --disable-pip-version-check \
    'aiokafka==0.10.0' 'protobuf<4' 'confluent-kafka==2.4.0' 'cachetools==5.3.3' 'jsonschema<5' \
    'isodate<1' 'tenacity<9' 'ujson<6' 'watchfiles<1' 'xxhash~=3.3' 'rich~=13.7.1' \
    'prometheus-client==0.20.0' 'networkx<4' 'accept-types<1' 'aiohttp<4' 'avro==1.12.0' \
    typing-extensions "$ROOT/third_party/karapace-$KARAPACE_VERSION"
  touch "$TOOLS/karapace/.karapace-$KARAPACE_VERSION"
fi
# The referee for registry-framed records: Confluent's Python serializers and deserializers.
if [ ! -f "$TOOLS/sr-referee/.confluent-kafka-$SR_REFEREE_VERSION" ]; then
  log "installing confluent-kafka[avro,json,protobuf] $SR_REFEREE_VERSION into $TOOLS/sr-referee"
  rm -rf "$TOOLS/sr-referee"
  python3 -m venv "$TOOLS/sr-referee"
  "$TOOLS/sr-referee/bin/pip" install --quiet --disable-pip-version-check \
    "confluent-kafka[avro,json,protobuf]==$SR_REFEREE_VERSION"
  touch "$TOOLS/sr-referee/.confluent-kafka-$SR_REFEREE_VERSION"
fi

if [ ! -f "$TOOLS/js/.diffusion-$JS_SDK_VERSION" ]; then
  ensure_cmd node nodejs
  ensure_cmd npm npm
  log "installing the official Diffusion JavaScript SDK $JS_SDK_VERSION into $TOOLS/js"
  mkdir -p "$TOOLS/js"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/js" "diffusion@$JS_SDK_VERSION" >/dev/null
  touch "$TOOLS/js/.diffusion-$JS_SDK_VERSION"
fi
ensure_cmd chromium chromium
if [ ! -f "$TOOLS/js/.playwright-core-$PLAYWRIGHT_VERSION" ]; then
  log "installing playwright-core $PLAYWRIGHT_VERSION into $TOOLS/js (drives Debian's chromium)"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/js" "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
  touch "$TOOLS/js/.playwright-core-$PLAYWRIGHT_VERSION"
fi
# bench/profile.sh counts the sink's instructions per record with callgrind.
ensure_cmd valgrind valgrind
log "tools ready in $TOOLS"
