#!/usr/bin/env bash
# Install, start and stop the third-party OpenAI-compatible servers the suite is verified against
# (docs/targets.md), each in its own virtual environment outside the repository, bound to 127.0.0.1.
#
#   targets/target.sh install NAME     pip-install the pinned version into $TARGETS_HOME/NAME/venv
#   targets/target.sh start NAME       start it in the background on loopback; wait until it answers
#   targets/target.sh stop NAME        stop the process that `start` started (by its recorded id)
#   targets/target.sh run NAME [ARGS]  start, run the suite with targets/NAME.toml, stop; ARGS go to pytest
#
# NAME is one of: mockllm fakellm litellm llama-cpp ogx aimock, or emulator (run only: the embedded reference
# emulator, the reference column of docs/targets.md). TARGETS_HOME defaults to ../targets-venv beside the
# checkout. Install and start print their wall time and the install's size, the numbers docs/targets.md quotes.
# ogx needs Python >= 3.12 ($PYTHON312) and answers through the suite's own emulator as its chat upstream;
# aimock is an npm package (node >= 20).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
home="${TARGETS_HOME:-$(dirname "$repo")/targets-venv}"
python="${PYTHON:-python3}"
python312="${PYTHON312:-/root/.pyenv/versions/3.12.1/bin/python}"

die() { echo "target.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: target.sh install|start|stop|run NAME (mockllm fakellm litellm llama-cpp ogx aimock emulator)"
action="$1"; name="$2"; shift 2
dir="$home/$name"; venv="$dir/venv"

# Per target: pinned packages, port, readiness path, key (placeholders: these servers run on loopback only).
case "$name" in
  mockllm)   packages=("mockllm==0.0.8");                           port=8100; ready=/providers;           key="" ;;
  fakellm)   packages=("fakellm==0.3.5");                           port=9999; ready=/_fakellm/stats;         key="" ;;
  litellm)   packages=("litellm[proxy]==1.106.2" "prisma==0.15.0"); port=4000; ready=/health/liveliness;  key="sk-test-master-1234" ;;
  llama-cpp) packages=("llama-cpp-python[server]==0.3.36");         port=8200; ready=/v1/models;          key="sk-llama-test" ;;
  # faiss-cpu: the vector store that works here (sqlite-vec needs SQLite extensions, which these Pythons
  # cannot load); without chardet ogx does not start.
  ogx)       packages=("ogx==1.5.0" "faiss-cpu==1.15.1" "chardet==7.7.0" "pypdf==7.1.1" "numpy==2.5.5"); port=8321; ready=/v1/health; key="" ;;
  aimock)    packages=("@copilotkit/aimock@1.43.0");                  port=4010; ready=/ready;              key="" ;;
  emulator)  [ "$action" = run ] || die "the emulator is embedded: only 'run emulator'"; packages=(); key="" ;;
  *) die "unknown target '$name' (mockllm fakellm litellm llama-cpp ogx aimock emulator)" ;;
esac
upstream_port=8322  # ogx's chat upstream: the suite's emulator (openai-conformance serve)
upstream_key=sk-emu
# tiktoken's cl100k_base, which ogx downloads at start-up (offline here): the litellm wheel carries the same file.
tiktoken_wheel="litellm==1.106.2" tiktoken_file=9b5ad71b2ce5302211f9c61530b329a4922fc6a4
tiktoken_sha256=223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7

install() {
  local start=$SECONDS
  mkdir -p "$dir"
  if [ "$name" = aimock ]; then
    npm install --silent --no-audit --no-fund --prefix "$dir" "${packages[@]}"
    measure "$start"; return
  fi
  if [ "$name" = ogx ]; then python="$python312"; fi
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  # One build job: a compiled install (llama.cpp) leaves the other core to whatever else runs.
  CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-1}" "$venv/bin/pip" install -q "${packages[@]}"
  if [ "$name" = llama-cpp ]; then
    # The model: a tiny random-weight llama written locally (no download); mean pooling for embeddings.
    "$venv/bin/pip" install -q "gguf==0.19.0" "numpy<3"
    "$venv/bin/python" "$here/make_tiny_gguf.py" "$dir/tiny.gguf" --pooling-mean >/dev/null
  fi
  if [ "$name" = ogx ]; then
    rm -rf "$dir/dl" && mkdir -p "$dir/tiktoken"
    "$venv/bin/pip" download -q --no-deps "$tiktoken_wheel" -d "$dir/dl"
    "$venv/bin/python" -m zipfile -e "$dir"/dl/*.whl "$dir/dl/wheel"
    cp "$dir/dl/wheel/litellm/litellm_core_utils/tokenizers/$tiktoken_file" "$dir/tiktoken/"
    rm -rf "$dir/dl"
    echo "$tiktoken_sha256  $dir/tiktoken/$tiktoken_file" | sha256sum -c --quiet || die "tiktoken file: wrong sha256"
  fi
  measure "$start"
}

measure() {
  echo "seconds=$((SECONDS - $1)) size=$(du -sh "$dir" | cut -f1)B" >"$dir/install.txt"
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
    ogx)
      # TMPDIR: on exit ogx leaves its resolved config, upstream key included, in $TMPDIR/ogx-run-*.yaml.
      # JSON logs: its default console log renders each error's traceback with rich, in the event loop, which
      # held every request after a 400 or 500 for 12 to 30 s on this loaded 2-core machine (read timeouts).
      mkdir -p state home tmp
      OGX_STATE_DIR="$dir/state" UPSTREAM_BASE_URL="http://127.0.0.1:$upstream_port/v1" UPSTREAM_API_KEY="$upstream_key" \
      TIKTOKEN_CACHE_DIR="$dir/tiktoken" OGX_CONFIG_DIR="$dir/home" TMPDIR="$dir/tmp" HF_HUB_OFFLINE=1 OGX_LOG_FORMAT=json \
        exec "$venv/bin/ogx" run "$here/ogx-config.yaml" --insecure --port "$port" ;;
    aimock)
      printf '{"port": %s, "host": "127.0.0.1", "llm": {"fixtures": "%s"}}\n' "$port" "$here/aimock-fixtures.json" >aimock.json
      exec node_modules/.bin/aimock --config aimock.json ;;
  esac
}

# ogx's upstream: the suite's emulator, started before ogx and stopped after it.
start_upstream() {
  rm -rf "$dir/state"  # stored responses, files and vector stores of an earlier run
  (exec openai-conformance serve --host 127.0.0.1 --port "$upstream_port" --api-key "$upstream_key") >"$dir/upstream.log" 2>&1 &
  echo $! >"$dir/upstream.pid"
  for _ in $(seq 60); do
    curl -fs -o /dev/null -H "Authorization: Bearer $upstream_key" "http://127.0.0.1:$upstream_port/v1/models" && return 0
    sleep 0.5
  done
  die "the emulator (ogx's upstream) did not answer on 127.0.0.1:$upstream_port (log: $dir/upstream.log)"
}

start() {
  [ -e "$dir/install.txt" ] || die "$name is not installed: targets/target.sh install $name"
  if [ -e "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then die "$name already runs (pid $(cat "$dir/pid"))"; fi
  local start=$SECONDS
  if [ "$name" = ogx ]; then start_upstream; fi
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
  stop_pid "$dir/pid"
  stop_pid "$dir/upstream.pid"
}

stop_pid() {
  [ -e "$1" ] || return 0
  local pid; pid="$(cat "$1")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$1"
}

# Exit 0 only when the verdicts are the profile's: every other case passes or is skipped, and every
# known failure fails on exactly the must checks its reason names (targets/verdicts.py).
run() {
  started=0
  if [ "$name" != emulator ]; then trap stop EXIT; start; fi
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
