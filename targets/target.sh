#!/usr/bin/env bash
# Install, start and stop the third-party OpenAI-compatible servers the suite is verified against
# (docs/targets.md), each in its own virtual environment outside the repository, bound to 127.0.0.1.
#
#   targets/target.sh install NAME     pip-install the pinned version into $TARGETS_HOME/NAME/venv
#   targets/target.sh start NAME       start it in the background on loopback; wait until it answers
#   targets/target.sh stop NAME        stop the process that `start` started (by its recorded id)
#   targets/target.sh run NAME [ARGS]  start, run the suite with targets/NAME.toml, stop; ARGS go to pytest
#
# NAME is one of: mockllm fakellm litellm llama-cpp, or emulator (run only: the embedded reference emulator,
# the reference column of docs/targets.md). TARGETS_HOME defaults to ../targets-venv beside the
# checkout. Install and start print their wall time and the venv size, the numbers docs/targets.md quotes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
home="${TARGETS_HOME:-$(dirname "$repo")/targets-venv}"
python="${PYTHON:-python3}"

die() { echo "target.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: target.sh install|start|stop|run NAME (mockllm fakellm litellm llama-cpp)"
action="$1"; name="$2"; shift 2
dir="$home/$name"; venv="$dir/venv"

# Per target: pinned packages, port, readiness path, key (placeholders: these servers run on loopback only).
case "$name" in
  mockllm)   packages=("mockllm==0.0.8");                           port=8100; ready=/providers;           key="" ;;
  fakellm)   packages=("fakellm==0.3.5");                           port=9999; ready=/_fakellm/stats;         key="" ;;
  litellm)   packages=("litellm[proxy]==1.106.2" "prisma==0.15.0"); port=4000; ready=/health/liveliness;  key="sk-test-master-1234" ;;
  llama-cpp) packages=("llama-cpp-python[server]==0.3.36");         port=8200; ready=/v1/models;          key="sk-llama-test" ;;
  emulator)  [ "$action" = run ] || die "the emulator is embedded: only 'run emulator'"; packages=(); key="" ;;
  *) die "unknown target '$name' (mockllm fakellm litellm llama-cpp emulator)" ;;
esac

install() {
  local start=$SECONDS
  mkdir -p "$dir"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  # One build job: a compiled install (llama.cpp) leaves the other core to whatever else runs.
  CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-1}" "$venv/bin/pip" install -q "${packages[@]}"
  if [ "$name" = llama-cpp ]; then
    # The model: a tiny random-weight llama written locally (no download); mean pooling for embeddings.
    "$venv/bin/pip" install -q "gguf==0.19.0" "numpy<3"
    "$venv/bin/python" "$here/make_tiny_gguf.py" "$dir/tiny.gguf" --pooling-mean >/dev/null
  fi
  echo "seconds=$((SECONDS - start)) size=$(du -sh "$dir" | cut -f1)B" >"$dir/install.txt"
  echo "installed $name: $(cat "$dir/install.txt") in $dir"
}

launch() {
  cd "$dir"
  case "$name" in
    mockllm)
      printf 'responses:\n  "hello": "Hi"\ndefaults:\n  unknown_response: "Hi"\n' >responses.yml
      exec "$venv/bin/mockllm" start --responses responses.yml --host 127.0.0.1 --port "$port" ;;
    fakellm)
      [ -e fakellm.yaml ] || "$venv/bin/fakellm" init >/dev/null
      exec "$venv/bin/fakellm" serve --host 127.0.0.1 --port "$port" ;;
    litellm)
      # Upstream is 127.0.0.1:9 where nothing listens, so no call leaves the machine.
      LITELLM_LOCAL_MODEL_COST_MAP=True OPENAI_API_KEY=sk-fake OPENAI_API_BASE=http://127.0.0.1:9/v1 \
      OPENAI_BASE_URL=http://127.0.0.1:9/v1 \
        exec "$venv/bin/litellm" --config "$here/litellm-config.yaml" --host 127.0.0.1 --port "$port" ;;
    llama-cpp)
      exec "$venv/bin/python" -m llama_cpp.server --model tiny.gguf --model_alias tiny-llama --host 127.0.0.1 \
        --port "$port" --api_key "$key" --n_ctx 512 --embedding true --verbose false ;;
  esac
}

start() {
  [ -x "$venv/bin/python" ] || die "$name is not installed: targets/target.sh install $name"
  if [ -e "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then die "$name already runs (pid $(cat "$dir/pid"))"; fi
  local start=$SECONDS
  (launch) >"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 240); do
    if curl -fs -o /dev/null ${key:+-H "Authorization: Bearer $key"} "http://127.0.0.1:$port$ready"; then
      started=$((SECONDS - start))
      echo "started $name (pid $(cat "$dir/pid")) in $started s at http://127.0.0.1:$port/v1"; return 0
    fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { tail -20 "$dir/server.log" >&2; die "$name exited while starting"; }
    sleep 0.5
  done
  stop; die "$name did not answer on 127.0.0.1:$port$ready within 120 s (log: $dir/server.log)"
}

stop() {
  [ -e "$dir/pid" ] || return 0
  local pid; pid="$(cat "$dir/pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}

# Exit 0 only when the verdicts are the profile's: every other case passes or is skipped, and every
# known failure fails on exactly the must checks its reason names (targets/verdicts.py).
run() {
  started=0
  if [ "$name" != emulator ]; then start; trap stop EXIT; fi
  local start=$SECONDS code=0
  mkdir -p "$dir"
  rm -f "$dir/results.json"
  OPENAI_API_KEY="${key:-unused}" pytest -p no:cacheprovider --pyargs conformance.cases --profile "$here/$name.toml" \
    --conformance-results "$dir/results.json" "$@" || code=$?
  echo "start_seconds=$started run_seconds=$((SECONDS - start))" >"$dir/run.txt"
  echo "ran the suite against $name: $(cat "$dir/run.txt") (pytest exit $code)"
  if [ "$code" -le 1 ]; then python "$here/verdicts.py" check "$here/$name.toml" "$dir/results.json" || code=1; fi
  return "$code"
}

case "$action" in
  install|start|stop|run) "$action" "$@" ;;
  *) die "unknown action '$action' (install start stop run)" ;;
esac
