#!/usr/bin/env bash
# bench/directory.sh - directory lookups/s and p99 per backend (files, PostgreSQL, LDAP), cold and
# cached, with 100,000 users and a 10,000-member list (dev.tacit.directory.DirectoryBench).
#
# usage: bench/directory.sh [files] [postgresql] [ldap]      (default: all three)
#   env: LOOKUPS=20000 lookups per measured pass, EXPANSIONS=20 expansions of the big list
# PostgreSQL is a throwaway cluster on a free loopback port (needs Debian's postgresql-15, and root
# or a user that may run initdb); LDAP is UnboundID's in-memory server on loopback.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${OUT:-$ROOT/bench/results/directory-$(date +%Y%m%dT%H%M%S).md}
mkdir -p "$(dirname "$OUT")"
cd "$ROOT"
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
JAVA=$(bash -c "source <(sed -n '/^java_major()/,/^}/p;/^find_java()/,/^}/p' '$ROOT/tacit'); find_java")
{
    echo "# Directory benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1)"
    "$JAVA" -Xmx2g --enable-native-access=ALL-UNNAMED -Dbench.lookups="${LOOKUPS:-20000}" -Dbench.expansions="${EXPANSIONS:-20}" \
        -Dlogback.configurationFile="$ROOT/src/main/resources/logback.xml" \
        -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" dev.tacit.directory.DirectoryBench "$@"
} | tee "$OUT"
echo "results in $OUT" >&2
