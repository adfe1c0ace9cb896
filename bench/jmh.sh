#!/usr/bin/env bash
# Micro-benchmarks (JMH) of the hot paths: command and path parsing, the DATA reader, the rule engine, the spool's
# accept path. Usage: bench/jmh.sh [JMH args, e.g. a benchmark regex, -f 1 -wi 2 -i 3]
# Compiles the tests once (skipping their run), then runs org.openjdk.jmh.Main on the test classpath
# with the same JDK the build selected. Results also go to target/jmh-result.json.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/jmh.classpath
java_bin=$(./tacit --print-java 2>/dev/null || command -v java)
exec "$java_bin" --enable-native-access=ALL-UNNAMED \
    -cp "target/test-classes:target/classes:$(cat target/jmh.classpath)" \
    org.openjdk.jmh.Main -rf json -rff target/jmh-result.json "$@"
