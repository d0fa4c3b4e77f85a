#!/usr/bin/env bash
# run.sh — eventide's side-by-side benchmarks; reproduces BENCHMARKS.md.
#
#   bash bench/run.sh                          # everything but strace, ~22 minutes
#   SECTIONS=loop LOOP_REPS=5 bash bench/run.sh     # the ev loop against C libev
#   SECTIONS=echo DUR=1 REPS=1 bash bench/run.sh
#   SECTIONS=strace bash bench/run.sh          # system calls per echoed message
#   EXTRA_ECHO='name|/path/to/server -addr {addr}' SECTIONS='echo mem' bash bench/run.sh
#
# Sections:
#   loop  bench/cmd/loopbench (eventide's ev) against bench/c/loop_libev.c:
#         a million timers, start/stop churn, socketpair ping-pong, Post and
#         Async.Send throughput and wake-up latency.
#   echo  echo servers (C libev, C libevent, Go net, gnet, nbio, evio,
#         cloudwego/netpoll, and EXTRA_ECHO) under bench/cmd/echoload: ping-pong of fixed-size
#         messages on CONNS connections. Beside them bench/cmd/floor, the
#         least a Go server can do (raw epoll, read, write; no library): a
#         measuring stick, whose ratios say what any Go server pays here.
#         eventide is examples/rawecho, built from the main module.
#   mem   the same servers' RSS per connection with MEM_CONNS connections.
#   http  hello-world HTTP servers (C libevent evhttp, Go net/http, fasthttp,
#         nbio's nbhttp, a minimal gnet server, floor -http (a canned
#         answer per request, nothing parsed: how fast the load generator
#         can go at all), eventide's examples/hello
#         and, when it has the flag, examples/hello -bridge) under wrk -t1
#         (bench/cmd/httpload) and under httpload -gen raw, a generator
#         that is cheaper than wrk; then RSS per idle keep-alive connection
#         with MEM_CONNS connections. Ratios to fasthttp, net/http and floor.
#   sig   latency of signal delivery and child exit to the callback
#         (loopbench / loop_libev, tests signal and child).
#   strace  system calls per echoed message (strace -c -f -p) for eventide,
#         C libev and gnet; not in the default SECTIONS (it slows the
#         servers down; only the counts mean something).
#   pair  eventide's echo server and one anchor (C libev, gnet, floor), and
#         floor and C libev, at the same time on CPU 0, each with its own
#         load generator on CPU 1, and the socketpair ping-pong of
#         loopbench and loop_libev at the same time on CPU 0: CPU per
#         message and per round trip measured under the same machine
#         conditions, steady where separate runs drift.
#
# Knobs (environment):
#   SECTIONS   sections to run, default "loop echo mem http sig pair"
#   REPS       repetitions, default 3 (loop and sig: LOOP_REPS, default 5)
#   DUR        seconds measured per echo and http run, default 5 (plus WARMUP, 1)
#   CONNS      echo and http connection counts, default "50 1000"
#   SIZES      echo message sizes in bytes, default "64 4096"
#   MEM_CONNS  connections of the memory tests, default 10000
#   ECHO_GENS  echo load generators, default "plain ring": echoload making
#              two system calls per message (as the servers did before
#              batching), and echoload -ring, which batches its receives and
#              sends through io_uring, so that the server rather than the
#              generator is the bottleneck
#   HTTP_GENS  http load generators, default "wrk raw": wrk -t1, and httpload's
#              own (-gen raw), which makes two system calls per request to
#              wrk's four, so that the server rather than the generator is
#              the bottleneck
#   PIPELINE   pipelining depths for http, default "16" (TechEmpower's
#              plaintext depth): each generator also runs with that many
#              requests sent at once per connection, on the first of CONNS
#              connections; "" for none
#   EXTRA_ECHO more echo servers, "name|command" separated by ";"; {addr} in
#              the command becomes HOST:PORT ("-addr {addr}" is appended
#              when it is missing)
#   URING      1: also run cmd/echo-uring (an io_uring experiment, not an
#              anchor) in the echo section and in a pair with C libev
#   OUT        directory for binaries and results, default a new temp dir
#
# Every repetition runs each implementation once, in an order rotated from
# one repetition to the next, and the tables give medians and the medians
# of same-repetition ratios to the anchors (C libev, and gnet where it ran;
# for http, fasthttp and net/http), because this machine's speed drifts by up to 2x within minutes.
# Servers and the single-threaded loop tests run on CPU 0 (taskset -c 0,
# GOMAXPROCS=1), the load generator on CPU 1; the cross-thread loop tests
# (post, async, wakestress, signal, child) get both CPUs.
set -euo pipefail

SECTIONS=${SECTIONS:-"loop echo mem http sig pair"}
REPS=${REPS:-3}
LOOP_REPS=${LOOP_REPS:-5}
DUR=${DUR:-5}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-"50 1000"}
SIZES=${SIZES:-"64 4096"}
MEM_CONNS=${MEM_CONNS:-10000}
ECHO_GENS=${ECHO_GENS:-"plain ring"}
HTTP_GENS=${HTTP_GENS:-"wrk raw"}
PIPELINE=${PIPELINE-16}
EXTRA_ECHO=${EXTRA_ECHO:-}
URING=${URING:-}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(mktemp -d /tmp/eventide-bench.XXXXXX)}
BIN=$OUT/bin
MAIN=$(cd "$HERE/.." && pwd)
RESULTS=$OUT/results.tsv
PORT=17100
SERVER_PID=

mkdir -p "$BIN"
: >"$RESULTS"
ulimit -n "$(ulimit -Hn)" # 10,000 connections need more than the usual 1024

log() { printf '%s\n' "$*" >&2; }

stop_server() {
	if [[ -n $SERVER_PID ]]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
}
trap stop_server EXIT

# ---- install and build ----

install_deps() {
	local missing=()
	[[ -e /usr/include/ev.h ]] || missing+=(libev-dev)
	[[ -e /usr/include/event2/event.h ]] || missing+=(libevent-dev)
	command -v wrk >/dev/null || missing+=(wrk)
	command -v strace >/dev/null || missing+=(strace)
	if ((${#missing[@]})); then
		log "installing ${missing[*]}"
		apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
}

build() {
	log "building into $BIN"
	gcc -O2 -o "$BIN/loop_libev" "$HERE/c/loop_libev.c" -lev -lpthread
	gcc -O2 -o "$BIN/echo_libev" "$HERE/c/echo_libev.c" -lev
	gcc -O2 -o "$BIN/echo_libevent" "$HERE/c/echo_libevent.c" -levent
	gcc -O2 -o "$BIN/http_libevent" "$HERE/c/http_libevent.c" -levent
	gcc -O2 -o "$BIN/child_stamp" "$HERE/c/child_stamp.c"
	(cd "$HERE" && go build -o "$BIN/" ./cmd/...)
	(cd "$MAIN" && go build -o "$BIN/rawecho" ./examples/rawecho)
	if [[ -d $MAIN/examples/hello ]]; then
		(cd "$MAIN" && go build -o "$BIN/hello" ./examples/hello) || log "examples/hello does not build: no eventide HTTP row"
	else
		log "examples/hello is not there yet: no eventide HTTP row"
	fi
}

# ---- helpers ----

# record SECTION CASE IMPL REP METRICS appends one result line.
record() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"
	log "  $3 [$2] rep $4: $5"
}

# rotate N ITEMS... prints ITEMS rotated left by N.
rotate() {
	local n=$1
	shift
	local items=("$@") k=${#items[@]} i
	for ((i = 0; i < k; i++)); do
		printf '%s\n' "${items[(i + n) % k]}"
	done
}

# ---- loop ----

# Each case: title | eventide's loopbench arguments | loop_libev arguments | CPUs.
LOOP_CASES=(
	"timers n=1000000|-test timers -n 1000000|timers 1000000|0"
	"churn n=1000000 active=100000|-test churn -n 1000000 -active 100000|churn 1000000 100000|0"
	"pingpong n=200000 size=1|-test pingpong -n 200000 -size 1|pingpong 200000 1|0"
	"pingpong n=200000 size=64|-test pingpong -n 200000 -size 64|pingpong 200000 64|0"
	"post n=1000000|-test post -n 1000000|post 1000000|0,1"
	"async n=1000000|-test async -n 1000000|async 1000000|0,1"
	"post latency n=10000|-test postlat -n 10000|postlat 10000|0,1"
	"async latency n=10000|-test asynclat -n 10000|asynclat 10000|0,1"
	"wakestress n=200000|-test wakestress -n 200000|wakestress 200000|0,1"
)

# SIG_CASES: as LOOP_CASES; {bin} stands for the binaries' directory.
SIG_CASES=(
	"signal n=2000|-test signal -n 2000|signal 2000|0,1"
	"child n=2000|-test child -n 2000 -stamp {bin}/child_stamp|child 2000 {bin}/child_stamp|0,1"
)

# run_cases SECTION CASES... runs each case on eventide and C libev,
# LOOP_REPS times. A failing run (a stall, for instance) is logged loudly
# and recorded as nothing.
run_cases() {
	local section=$1 rep c title goargs cargs cpus impl line
	shift
	log "== $section: $LOOP_REPS repetitions"
	for ((rep = 1; rep <= LOOP_REPS; rep++)); do
		for c in "$@"; do
			c=${c//\{bin\}/$BIN}
			IFS='|' read -r title goargs cargs cpus <<<"$c"
			while read -r impl; do
				case $impl in
				eventide) line=$(taskset -c "$cpus" "$BIN/loopbench" $goargs) ;;
				libev) line=$(taskset -c "$cpus" "$BIN/loop_libev" $cargs) ;;
				esac || {
					log "  !!! $impl [$title] rep $rep FAILED"
					continue
				}
				record "$section" "$title" "$impl" "$rep" "$line"
			done < <(rotate "$rep" libev eventide)
		done
	done
}

run_loop() { run_cases loop "${LOOP_CASES[@]}"; }
run_sig() { run_cases sig "${SIG_CASES[@]}"; }

# ---- echo servers ----

# ECHO_SERVERS: "name|command", {addr} standing for HOST:PORT.
ECHO_SERVERS=(
	"libev|$BIN/echo_libev {addr}"
	"libevent|$BIN/echo_libevent {addr}"
	"floor|$BIN/floor -addr {addr}"
	"gonet|$BIN/echo-net -addr {addr}"
	"gnet|$BIN/echo-gnet -addr {addr}"
	"nbio|$BIN/echo-nbio -addr {addr}"
	"evio|$BIN/echo-evio -addr {addr}"
	"netpoll|$BIN/echo-netpoll -addr {addr}"
	"eventide|$BIN/rawecho -addr {addr}"
)
if [[ $URING == 1 ]]; then
	ECHO_SERVERS+=("uring|$BIN/echo-uring -addr {addr}")
fi
if [[ -n $EXTRA_ECHO ]]; then
	IFS=';' read -r -a extra <<<"$EXTRA_ECHO"
	for e in "${extra[@]}"; do
		[[ $e == *'{addr}'* ]] || e="$e -addr {addr}"
		ECHO_SERVERS+=("$e")
	done
fi

# start_server COMMAND starts COMMAND on CPU 0 on a fresh port and waits
# until it accepts connections; sets SERVER_PID and ADDR.
start_server() {
	PORT=$((PORT + 1))
	ADDR=127.0.0.1:$PORT
	local cmd=${1//\{addr\}/$ADDR} i
	GOMAXPROCS=1 taskset -c 0 bash -c "exec $cmd" >"$OUT/server.log" 2>&1 &
	SERVER_PID=$!
	for ((i = 0; i < 100; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
			return 0
		fi
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	log "server did not start: $cmd"
	cat "$OUT/server.log" >&2
	return 1
}

run_echo() {
	log "== echo: $REPS repetitions, ${DUR}s each, conns $CONNS, sizes $SIZES, generators $ECHO_GENS"
	local rep gen flag kase conns size s name cmd line names=()
	for s in "${ECHO_SERVERS[@]}"; do names+=("${s%%|*}"); done
	for ((rep = 1; rep <= REPS; rep++)); do
		for gen in $ECHO_GENS; do
			flag=() kase=""
			[[ $gen == ring ]] && flag=(-ring) kase=" gen=ring"
			for conns in $CONNS; do
				for size in $SIZES; do
					while read -r s; do
						name=${s%%|*}
						cmd=${s#*|}
						start_server "$cmd"
						if line=$(taskset -c 1 "$BIN/echoload" "${flag[@]}" -addr "$ADDR" -conns "$conns" -size "$size" \
							-dur "${DUR}s" -warmup "${WARMUP}s" -pid "$SERVER_PID"); then
							record echo "conns=$conns size=$size$kase" "$name" "$rep" "$line"
						else
							log "  $name conns=$conns size=$size$kase: echoload failed"
						fi
						stop_server
					done < <(rotate "$rep" "${ECHO_SERVERS[@]}")
				done
			done
		done
	done
}

run_mem() {
	log "== mem: $MEM_CONNS connections"
	local s name line
	for s in "${ECHO_SERVERS[@]}"; do
		name=${s%%|*}
		start_server "${s#*|}"
		if line=$(taskset -c 1 "$BIN/echoload" -addr "$ADDR" -conns "$MEM_CONNS" -mem -pid "$SERVER_PID"); then
			record mem "conns=$MEM_CONNS" "$name" 1 "$line"
		else
			log "  $name: memory test failed"
		fi
		stop_server
	done
}

# ---- http ----

# HTTP_SERVERS: as ECHO_SERVERS; eventide's rows are added by build_http.
HTTP_SERVERS=(
	"fasthttp|$BIN/http-fasthttp -addr {addr}"
	"gonet|$BIN/http-net -addr {addr}"
	"floor|$BIN/floor -http -addr {addr}"
	"libevent|$BIN/http_libevent {addr}"
	"nbio|$BIN/http-nbio -addr {addr}"
	"gnet|$BIN/http-gnet -addr {addr}"
)

add_eventide_http() {
	[[ -x $BIN/hello ]] || return 0
	HTTP_SERVERS+=("eventide|$BIN/hello -addr {addr}")
	# The flag appeared before the bridge did; its help says so meanwhile.
	if "$BIN/hello" -h 2>&1 | grep -A1 -e '-bridge' | grep -qv -e '-bridge' -e 'not yet available'; then
		HTTP_SERVERS+=("eventide-bridge|$BIN/hello -bridge -addr {addr}")
	else
		log "examples/hello has no -bridge flag yet: no bridge row"
	fi
}

run_http() {
	add_eventide_http
	log "== http: $REPS repetitions, ${DUR}s each, conns $CONNS, pipelining ${PIPELINE:-none}, generators $HTTP_GENS"
	local rep gen kase conns depth run s name line
	local first=${CONNS%% *}
	for ((rep = 1; rep <= REPS; rep++)); do
		for gen in $HTTP_GENS; do
			kase="raw -c" # the -gen raw generator: two system calls per request
			[[ $gen == wrk ]] && kase="wrk -t1 -c"
			# Runs: "conns depth"; the pipelined ones on the first CONNS.
			local runs=()
			for conns in $CONNS; do runs+=("$conns 1"); done
			for depth in $PIPELINE; do runs+=("$first $depth"); done
			for run in "${runs[@]}"; do
				conns=${run% *} depth=${run#* }
				local label="$kase$conns"
				((depth > 1)) && label+=" pipeline $depth"
				while read -r s; do
					name=${s%%|*}
					start_server "${s#*|}"
					if line=$(taskset -c 1 "$BIN/httpload" -gen "$gen" -addr "$ADDR" -conns "$conns" \
						-pipeline "$depth" -dur "${DUR}s" -warmup "${WARMUP}s" -pid "$SERVER_PID"); then
						record http "$label" "$name" "$rep" "$line"
					else
						log "  !!! $name $gen conns=$conns pipeline=$depth: httpload failed"
					fi
					stop_server
				done < <(rotate "$rep" "${HTTP_SERVERS[@]}")
			done
		done
	done
	log "== http mem: $MEM_CONNS idle keep-alive connections"
	for s in "${HTTP_SERVERS[@]}"; do
		name=${s%%|*}
		start_server "${s#*|}"
		if line=$(taskset -c 1 "$BIN/httpload" -addr "$ADDR" -conns "$MEM_CONNS" -mem -pid "$SERVER_PID"); then
			record http "mem conns=$MEM_CONNS" "$name" 1 "$line"
		else
			log "  !!! $name: http memory test failed"
		fi
		stop_server
	done
}

# ---- pair ----

# PAIRS: "load|anchor name|anchor command|eventide name|eventide command".
# Each pair of servers runs at the same time, both on CPU 0, each with its
# own load generator, both on CPU 1, so that both see the same machine at
# every instant: the ratio of their CPU per message is then steady to a few
# percent, where separate runs drift by tens (see BENCHMARKS.md). Where the
# load generators, not the servers, are the bottleneck the two throughputs
# come out equal; the CPU columns are the measurement.
PAIRS=(
	"echo|libev|$BIN/echo_libev {addr}|eventide|$BIN/rawecho -addr {addr}"
	"echo|gnet|$BIN/echo-gnet -addr {addr}|eventide|$BIN/rawecho -addr {addr}"
	"echo|floor|$BIN/floor -addr {addr}|eventide|$BIN/rawecho -addr {addr}"
	"echo|libev|$BIN/echo_libev {addr}|floor|$BIN/floor -addr {addr}"
)
if [[ $URING == 1 ]]; then
	PAIRS+=("echo|libev|$BIN/echo_libev {addr}|uring|$BIN/echo-uring -addr {addr}")
fi
# HTTP pairs are supported ("http|gonet|$BIN/http-net -addr {addr}|..."),
# but not in the default list: two wrk processes on one CPU do not share it
# evenly (against net/http, wrk got 0.59 CPU and eventide's wrk 0.19), so
# the two servers do not run under the same conditions.

# pair_load LOAD ADDR PID CONNS SIZE runs one load generator in the
# foreground, printing its line.
pair_load() {
	if [[ $1 == echo ]]; then
		taskset -c 1 "$BIN/echoload" -addr "$2" -pid "$3" -conns "$4" -size "$5" -dur "${DUR}s" -warmup "${WARMUP}s"
	else
		taskset -c 1 "$BIN/httpload" -addr "$2" -pid "$3" -conns "$4" -dur "${DUR}s" -warmup "${WARMUP}s"
	fi
}

run_pair() {
	log "== pair: $REPS repetitions, ${DUR}s each, conns $CONNS, echo sizes $SIZES; ping-pong at once"
	local rep conns size p load an ac en ec pa aa pe ae la le kase sizes
	for ((rep = 1; rep <= REPS; rep++)); do
		# The socketpair ping-pong of the loop section, eventide's and
		# libev's at once on CPU 0: cpu_ms is the comparable column.
		for size in 1 64; do
			GOMAXPROCS=1 taskset -c 0 "$BIN/loopbench" -test pingpong -n 300000 -size "$size" >"$OUT/pair.e" &
			pe=$!
			taskset -c 0 "$BIN/loop_libev" pingpong 300000 "$size" >"$OUT/pair.a" &
			pa=$!
			if wait "$pe" && wait "$pa"; then
				record pair "pingpong n=300000 size=$size, at once" libev "$rep" "$(cat "$OUT/pair.a")"
				record pair "pingpong n=300000 size=$size, at once" eventide "$rep" "$(cat "$OUT/pair.e")"
			else
				log "  !!! pair pingpong size=$size failed"
			fi
		done
		for p in "${PAIRS[@]}"; do
			IFS='|' read -r load an ac en ec <<<"$p"
			[[ $load == http && ! -x $BIN/hello ]] && continue
			sizes=$SIZES
			[[ $load == http ]] && sizes=0
			for conns in $CONNS; do
				for size in $sizes; do
					start_server "$ac" || continue
					pa=$SERVER_PID aa=$ADDR
					if ! start_server "$ec"; then
						SERVER_PID=$pa
						stop_server
						continue
					fi
					pe=$SERVER_PID ae=$ADDR
					pair_load "$load" "$aa" "$pa" "$conns" "$size" >"$OUT/pair.a" &
					la=$!
					pair_load "$load" "$ae" "$pe" "$conns" "$size" >"$OUT/pair.e" &
					le=$!
					kase="$load conns=$conns"
					[[ $load == echo ]] && kase="$kase size=$size"
					kase="$kase, with $an"
					# A pair with another implementation than eventide's is a case
					# of its own, so that tabulate's same-repetition ratios pair
					# each server with its own anchor run.
					[[ $en != eventide ]] && kase="$kase ($en)"
					if wait "$la" && wait "$le"; then
						record pair "$kase" "$an" "$rep" "$(cat "$OUT/pair.a")"
						record pair "$kase" "$en" "$rep" "$(cat "$OUT/pair.e")"
					else
						log "  !!! pair $kase: a load generator failed"
					fi
					kill "$pa" "$pe" 2>/dev/null || true
					wait "$pa" "$pe" 2>/dev/null || true
					SERVER_PID=
				done
			done
		done
	done
}

# ---- strace ----

# STRACE_SERVERS: the servers whose system calls per message are counted.
STRACE_SERVERS=(
	"libev|$BIN/echo_libev {addr}"
	"gnet|$BIN/echo-gnet -addr {addr}"
	"eventide|$BIN/rawecho -addr {addr}"
)

# strace_counts FILE prints per-message counts from an strace -c summary
# for MSGS messages: all calls, read, write, epoll_wait/epoll_pwait, other.
strace_counts() {
	awk -v msgs="$2" '
		$NF == "total" { next }
		NF >= 5 && $4 ~ /^[0-9]+$/ { calls[$NF] += $4; all += $4 }
		END {
			rd = calls["read"] + calls["readv"] + calls["recvfrom"] + calls["recvmsg"]
			wr = calls["write"] + calls["writev"] + calls["sendto"] + calls["sendmsg"]
			ep = calls["epoll_wait"] + calls["epoll_pwait"] + calls["epoll_pwait2"]
			printf "sys_per_msg=%.3f read_per_msg=%.3f write_per_msg=%.3f epoll_wait_per_msg=%.3f other_per_msg=%.3f\n",
				all / msgs, rd / msgs, wr / msgs, ep / msgs, (all - rd - wr - ep) / msgs
		}' "$1"
}

run_strace() {
	log "== strace: system calls per message, conns 50, size 64, ${DUR}s"
	local s name line msgs spid
	for s in "${STRACE_SERVERS[@]}"; do
		name=${s%%|*}
		start_server "${s#*|}"
		strace -c -f -p "$SERVER_PID" -o "$OUT/strace.$name" 2>/dev/null &
		spid=$!
		sleep 0.5
		if line=$(taskset -c 1 "$BIN/echoload" -addr "$ADDR" -conns 50 -size 64 -dur "${DUR}s" -warmup 0 -msgs); then
			kill -INT "$spid"
			wait "$spid" || true
			msgs=${line##*msgs=}
			record strace "conns=50 size=64" "$name" 1 "$(strace_counts "$OUT/strace.$name" "$msgs") msgs=$msgs"
		else
			kill -INT "$spid" || true
			wait "$spid" || true
			log "  !!! $name: echoload under strace failed"
		fi
		stop_server
	done
}

# ---- main ----

install_deps
build
{
	echo "## Run of $(date -u +%Y-%m-%dT%H:%MZ)"
	echo
	echo "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r), $(go version | cut -d' ' -f3-)"
	echo "- knobs: SECTIONS='$SECTIONS' REPS=$REPS LOOP_REPS=$LOOP_REPS DUR=$DUR WARMUP=$WARMUP CONNS='$CONNS' SIZES='$SIZES' MEM_CONNS=$MEM_CONNS HTTP_GENS='$HTTP_GENS' PIPELINE='$PIPELINE'"
	echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/report.md"
for section in $SECTIONS; do
	case $section in
	loop) run_loop ;;
	echo) run_echo ;;
	mem) run_mem ;;
	http) run_http ;;
	sig) run_sig ;;
	strace) run_strace ;;
	pair) run_pair ;;
	*) log "unknown section $section" && exit 2 ;;
	esac
done
{
	echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	{ grep -v -e '^http	' -e '^pair	http' "$RESULTS" || true; } | "$BIN/tabulate" -anchor libev,gnet,floor
	{ grep -e '^http	' -e '^pair	http' "$RESULTS" || true; } | "$BIN/tabulate" -anchor fasthttp,gonet,floor
} >>"$OUT/report.md"
cat "$OUT/report.md"
log "results: $RESULTS, report: $OUT/report.md"
