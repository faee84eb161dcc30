#!/bin/sh
# Fuzzes every parser of untrusted input for real (Jazzer, libFuzzer), one
# target after the other, ROUNDS rounds of 20 s each (FUZZ_TIME in
# ParsersFuzzTest); each round goes on from the corpus of the rounds before, in
# zfsguard-core/.cifuzz-corpus/. A finding is written as crash-* next to the
# committed inputs (zfsguard-core/src/test/resources/.../ParsersFuzzTestInputs/
# TARGET/), where it becomes a regression input of every later `mvn verify`;
# the script then exits 1. Prints executions per second and corpus size per target.
#
# usage: bench/fuzz.sh [ROUNDS] [TARGET...]   (default 1 round, every target)
#   one round, as `mvn verify` runs it:   bench/fuzz.sh 1
#   30 minutes per parser:               bench/fuzz.sh 90
set -eu

rounds=${1:-1}
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")/.." && pwd)
inputs=$here/zfsguard-core/src/test/resources/org/zfsguard/fuzz/ParsersFuzzTestInputs
targets=${*:-$(sed -n 's/^    void \([A-Za-z]*\)(byte\[\] data).*/\1/p' \
    "$here/zfsguard-core/src/test/java/org/zfsguard/fuzz/ParsersFuzzTest.java")}
logs=$(mktemp -d "${TMPDIR:-/tmp}/zfsguard-fuzz.XXXXXX")
found=0

for t in $targets; do
    before=$(ls "$inputs/$t" | grep -c '^crash-' || true)
    r=0
    while [ "$r" -lt "$rounds" ]; do
        r=$((r + 1))
        log=$logs/$t.$r.log
        if ! (cd "$here" && JAZZER_FUZZ=1 mvn -B -o -q -pl zfsguard-core -am test \
                -Dtest="ParsersFuzzTest#$t" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1); then
            echo "$t: round $r failed (a finding, or see $log)"
            found=1
            break
        fi
    done
    stats=$(grep -E '^#[0-9]+.*(DONE|pulse)' "$log" | tail -1 || true)
    corpus=$(ls "$here/zfsguard-core/.cifuzz-corpus/org.zfsguard.fuzz.ParsersFuzzTest/$t" 2>/dev/null | wc -l)
    after=$(ls "$inputs/$t" | grep -c '^crash-' || true)
    [ "$after" -gt "$before" ] && found=1
    echo "$t: $(echo "$stats" | sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p') exec/s, corpus $corpus inputs, $((after - before)) new findings"
done
echo "logs: $logs"
exit "$found"
