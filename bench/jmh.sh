#!/usr/bin/env bash
# JMH benchmarks of the hot paths (mooseng-jmh): builds the module, then runs JMH with any
# arguments given, e.g.
#
#   bench/jmh.sh                                    every benchmark, with its own defaults
#   bench/jmh.sh Crc -f 1 -wi 2 -i 3                the benchmarks matching 'Crc'
#   bench/jmh.sh ChunkStoreWrite -p dir=/mnt/disk   the store's writes on another disk
#   bench/jmh.sh -l                                 list them; -h for JMH's options
#
# A benchmark, not a test: figures vary with the machine's load, so compare figures taken
# in one run only. Env: JAVA_HOME (JDK 25+, else /usr/lib/jvm/temurin-25-jdk-amd64),
# JMH_NO_BUILD=1 (run what was built last), MAVEN_ARGS (extra Maven flags, e.g. -o).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
module=$root/mooseng-jmh
if [[ -z ${JAVA_HOME:-} && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

if [[ ${JMH_NO_BUILD:-0} != 1 ]]; then
    # package, not install: the benchmark jar and its class path come from this work tree alone.
    (cd "$root" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
        mvn -B -q ${MAVEN_ARGS:-} -DskipTests package -pl mooseng-jmh -am) >&2
fi
jar=$(ls "$module"/target/mooseng-jmh-*.jar 2>/dev/null | head -n 1 || true)
classpath_file=$module/target/benchmark.classpath
if [[ -z $jar || ! -f $classpath_file ]]; then
    echo "jmh.sh: $module/target has no benchmark jar; run without JMH_NO_BUILD=1" >&2
    exit 1
fi
exec "$java" --sun-misc-unsafe-memory-access=allow -cp "$jar:$(cat "$classpath_file")" org.openjdk.jmh.Main "$@"
