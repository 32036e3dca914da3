#!/usr/bin/env bash
# A/B of the bridge hand-off on one machine, in one run: lighttpd + mod_lightbridge variants side by side, each
# answering a static file and the no-work route through the worker pool (/lightbridge/diag/noop), wrk -t1 -c16,
# with `perf stat` on each lighttpd process (all its threads: the event loop and the JVM) during every run.
# Prints req/s, process CPU and context switches, futex, epoll_ctl, epoll_wait and write calls per request.
#
#   bench/handoff-ab.sh ROUNDS NAME=MODULE_DIR[:YAML] ...
#   e.g. bench/handoff-ab.sh 3 before=/tmp/old-module after=lighttpd-module/target/cmake
#
# MODULE_DIR holds a mod_lightbridge.so (the other modules come from /usr/lib/lighttpd); YAML defaults to
# `server: {diagnostics: true}`. The Java side is java/target/lightbridge.jar of this checkout for every variant.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
rounds=${1:?usage: $0 ROUNDS NAME=MODULE_DIR[:YAML] ...}; shift
work=$(mktemp -d /tmp/handoff-ab.XXXXXX)
mkdir -p "$work/docroot"
printf 'server:\n  diagnostics: true\n' > "$work/default.yaml"

names=(); pids=(); ports=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
for variant in "$@"; do
    name=${variant%%=*}; spec=${variant#*=}
    module_dir=$(cd "${spec%%:*}" && pwd); yaml=$([ "$spec" = "${spec#*:}" ] && echo "$work/default.yaml" || echo "${spec#*:}")
    mkdir -p "$work/$name/modules"
    ln -s /usr/lib/lighttpd/*.so "$work/$name/modules/"
    ln -sf "$module_dir/mod_lightbridge.so" "$work/$name/modules/mod_lightbridge.so"
    port=$(( 20000 + RANDOM % 20000 ))
    cat > "$work/$name/lighttpd.conf" <<EOF
server.document-root = "$work/docroot"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$work/$name/error.log"
server.modules = ( "mod_lightbridge" )
mimetype.assign = ( ".json" => "application/json" )
lightbridge.java-home = "$java_home"
lightbridge.jar = "$root/java/target/lightbridge.jar"
lightbridge.config = "$yaml"
lightbridge.jvm-options = ( "-XX:+UseSerialGC", "-Xms64m", "-Xmx256m" )
\$HTTP["url"] =~ "^/(v2|lightbridge)(/|\$)" { lightbridge.activate = "enable" }
EOF
    /usr/sbin/lighttpd -D -f "$work/$name/lighttpd.conf" -m "$work/$name/modules" &
    pids+=($!); names+=("$name"); ports+=("$port")
done
sleep 3
# the static file has the size of the noop answer's body
noop_body=$(curl -sf "http://127.0.0.1:${ports[0]}/lightbridge/diag/noop")
printf '%s' "$noop_body" > "$work/docroot/noop-size.json"
for port in "${ports[@]}"; do wrk -t1 -c16 -d3s "http://127.0.0.1:$port/lightbridge/diag/noop" > /dev/null; done

measure() { # name pid port path
    perf stat -x, -e task-clock,context-switches,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_write \
        -p "$2" -o "$work/perf.txt" sleep 4.2 &
    local stat=$!
    local out; out=$(wrk -t1 -c16 -d4s "http://127.0.0.1:$3$4")
    wait $stat
    local rps requests
    rps=$(awk '/Requests\/sec/{print $2}' <<< "$out"); requests=$(awk '/requests in/{print $1}' <<< "$out")
    awk -F, -v name="$1" -v path="$4" -v rps="$rps" -v n="$requests" '
        /task-clock/{cpu=$1} /context-switches/{cs=$1} /futex/{fx=$1} /epoll_ctl/{ec=$1} /epoll_wait/{ew=$1} /sys_enter_write/{w=$1}
        END{printf "%-10s %-24s %8.0f req/s  CPU %5.2f us/req  cs %.2f  futex %.2f  epoll_ctl %.2f  epoll_wait %.2f  write %.2f per req\n",
            name, path, rps, cpu*1000/n, cs/n, fx/n, ec/n, ew/n, w/n}' "$work/perf.txt"
}
for round in $(seq "$rounds"); do
    for i in "${!names[@]}"; do
        [ "$round" = 1 ] && measure "${names[$i]}" "${pids[$i]}" "${ports[$i]}" /noop-size.json
        measure "${names[$i]}" "${pids[$i]}" "${ports[$i]}" /lightbridge/diag/noop
    done
done
