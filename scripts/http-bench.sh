#!/usr/bin/env bash
# MCP over HTTP throughput, measured in one run with wrk (Debian package `wrk`), not part of CI:
#   1. a bare "hello" endpoint on the same HTTP stack as `kami serve` (HttpFront, fixed reply);
#   2. `kami serve --transport http` answering tools/call of the echo sample (sandboxed wasm),
#      stateless 2026-07-28 requests and a legacy session (unique ids);
#   3. the MCP Java SDK 2.1.0 server on Jetty 12 answering the same echo in plain Java
#      ($PEER_BENCH/java-sdk-peer, default /work/shared/tools/peer-bench), legacy session.
#   4. a well-behaved client's p99 without abuse, with 64 stalled connections, with a session flood.
# Prints requests/s, correct/wrong replies, p50/p99, the ratios and the load average.
# Usage: scripts/http-bench.sh [SECONDS=10] [CONNECTIONS="16 64"]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-16 64}
peer=${PEER_BENCH:-/work/shared/tools/peer-bench}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# -DskipTests still compiles kami-mcp's test classes, where BareFrontServer lives
mvn -q -B -o package -DskipTests -pl kami-cli-minimal -am >&2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }

bare=$(free_port); kami=$(free_port); sdk=$(free_port)
java -cp "kami-cli-minimal/target/kami.jar:kami-mcp/target/test-classes" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn dev.kami.mcp.http.BareFrontServer "$bare" 2>"$work/bare.log" &
pids+=($!)
export KAMI_HOME="$work/home"
java -jar kami-cli-minimal/target/kami.jar install --yes samples/tools/echo >/dev/null
java -jar kami-cli-minimal/target/kami.jar serve --transport http --port "$kami" --client-share 1 \
  2>"$work/kami.log" &
pids+=($!)
"$peer/java-sdk-peer/run.sh" http "$sdk" >"$work/sdk.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$bare/health"; wait_up "http://127.0.0.1:$kami/health"; wait_up "http://127.0.0.1:$sdk/mcp" || true

modern_lua() { # $1 tool name
  cat <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
wrk.headers["Mcp-Method"] = "tools/call"
wrk.headers["Mcp-Name"] = "$1"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"$1","arguments":{"message":"hi"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
LUA
  count_lua
}
legacy_lua() { # $1 url, $2 tool name: opens a session first
  local hdr="$work/hdr"
  curl -s -D "$hdr" -o /dev/null -X POST "$1" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wrk","version":"0"}}}'
  local sid; sid=$(grep -i '^mcp-session-id' "$hdr" | awk '{print $2}' | tr -d '\r')
  curl -s -o /dev/null -X POST "$1" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  cat <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = "$sid"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
counter = 0
request = function()
  counter = counter + 1
  local id = tostring(math.random(1, 2000000000)) .. "-" .. counter
  return wrk.format(nil, nil, nil, '{"jsonrpc":"2.0","id":"' .. id .. '","method":"tools/call","params":{"name":"$2","arguments":{"message":"hi"}}}')
end
init = function() math.randomseed(os.time() + math.floor(os.clock()*1e6)) end
LUA
  count_lua
}
count_lua() {
  cat <<'LUA'
ok, bad = 0, 0
response = function(status, headers, body)
  if status == 200 and body:find('"isError":false', 1, true) then ok = ok + 1 else bad = bad + 1 end
end
threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local o, b = 0, 0
  for _, t in ipairs(threads) do o = o + (t:get("ok") or 0); b = b + (t:get("bad") or 0) end
  io.write(string.format("RESULT rps=%.0f correct=%d wrong=%d p50=%.0fus p99=%.0fus\n",
    summary.requests / (summary.duration / 1e6), o, b, latency:percentile(50), latency:percentile(99)))
end
LUA
}
run() { # $1 label, $2 lua file, $3 url, $4 connections
  wrk -t2 -c"$4" -d5s -s "$2" "$3" >/dev/null 2>&1 || true # warm-up
  local line; line=$(wrk -t2 -c"$4" -d"${secs}s" -s "$2" "$3" 2>&1 | grep '^RESULT' || echo "RESULT rps=0 (failed)")
  printf '%-34s c=%-3s %s\n' "$1" "$4" "${line#RESULT }"
  echo "$line" | sed -n 's/.*rps=\([0-9]*\).*/\1/p' > "$work/last"
}
modern_lua dev_kami_echo > "$work/kami-modern.lua"
modern_lua echo > "$work/bare.lua"
# the JIT warms up on every server before anything is measured
wrk -t2 -c16 -d10s -s "$work/kami-modern.lua" "http://127.0.0.1:$kami/mcp" >/dev/null 2>&1 || true
wrk -t2 -c16 -d5s -s "$work/bare.lua" "http://127.0.0.1:$bare/mcp" >/dev/null 2>&1 || true
echo "load before: $(uptime)"
for c in $conns; do
  run "bare HttpFront hello" "$work/bare.lua" "http://127.0.0.1:$bare/mcp" "$c"; b=$(cat "$work/last")
  run "kami echo, 2026-07-28 stateless" "$work/kami-modern.lua" "http://127.0.0.1:$kami/mcp" "$c"; k=$(cat "$work/last")
  legacy_lua "http://127.0.0.1:$kami/mcp" dev_kami_echo > "$work/kami-legacy.lua"
  run "kami echo, legacy session" "$work/kami-legacy.lua" "http://127.0.0.1:$kami/mcp" "$c"; kl=$(cat "$work/last")
  legacy_lua "http://127.0.0.1:$sdk/mcp" echo > "$work/sdk-legacy.lua"
  run "MCP Java SDK + Jetty, legacy" "$work/sdk-legacy.lua" "http://127.0.0.1:$sdk/mcp" "$c"; s=$(cat "$work/last")
  python3 - "$b" "$k" "$kl" "$s" "$c" <<'PY'
import sys
b, k, kl, s, c = (float(x or 0) for x in sys.argv[1:])
r = lambda x, y: f"{x / y:.2f}" if y else "n/a"
print(f"  c={int(c)}: kami stateless / bare = {r(k, b)} (target >= 0.5); kami legacy / Java SDK legacy = {r(kl, s)} (target >= 1)")
PY
done

# p99 of a well-behaved client (wrk from 127.0.0.1, legacy session, 16 connections) without
# abuse, then while 64 stalled connections or a session flood come from 127.0.0.3
abuse() { # $1 stalled|flood|none, $2 seconds
  python3 - "$1" "$kami" "$2" <<'PY' &
import socket, sys, time, json
mode, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.time() + secs
def conn():
    s = socket.socket(); s.bind(("127.0.0.3", 0)); s.connect(("127.0.0.1", port)); return s
if mode == "stalled":
    held = []
    while time.time() < end:
        while len(held) < 64:
            try:
                s = conn(); s.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"); held.append(s)
            except OSError:
                break
        time.sleep(0.2)
        alive = []
        for s in held:  # the server closes each after its head timeout: open another
            s.setblocking(False)
            try:
                s.recv(1, socket.MSG_PEEK)  # an answer (408) or end of stream: this one is done
                s.close()
            except BlockingIOError:
                alive.append(s)
            except OSError:
                s.close()
        held = alive
elif mode == "flood":
    body = json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
        "capabilities": {}, "clientInfo": {"name": "flood", "version": "0"}}}).encode()
    req = (b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
           b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    s = conn()
    while time.time() < end:
        try:
            s.sendall(req); s.recv(65536)
        except OSError:
            s = conn()
PY
  echo $!
}
for mode in none stalled flood; do
  pid=$(abuse "$mode" $((secs + 8)))
  sleep 2
  legacy_lua "http://127.0.0.1:$kami/mcp" dev_kami_echo > "$work/good.lua"
  run "well-behaved client, abuse: $mode" "$work/good.lua" "http://127.0.0.1:$kami/mcp" 16
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
done
echo "load after:  $(uptime)"
