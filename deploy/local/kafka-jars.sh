#!/usr/bin/env bash
# Fetches the Apache Kafka broker jars from Maven Central once (cached outside the repo).
#   kafka-jars.sh               fetch if missing
#   kafka-jars.sh --print-dir   print the cache folder
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="$(sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' "$HERE/kafka-pom.xml")"
DIR="${BAHI_CACHE:-$HOME/.cache/bahi}/kafka-$VERSION/libs"
if [ "${1:-}" = "--print-dir" ]; then echo "$DIR"; exit 0; fi
if [ -f "$DIR/.complete" ]; then exit 0; fi
echo "[infra] fetching Apache Kafka $VERSION jars with mvn into $DIR"
rm -rf "$DIR" && mkdir -p "$DIR"
mvn -q -B -f "$HERE/kafka-pom.xml" dependency:copy-dependencies \
  -DoutputDirectory="$DIR" -DincludeScope=runtime
touch "$DIR/.complete"
