#!/usr/bin/env bash
# Checks that a model is configured before `make run` builds and migrates:
# OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL for any OpenAI-compatible
# server. With SSM_PREFIX set the binary reads them from SSM and checks them.
set -euo pipefail
if [ -n "${OPENAI_API_KEY:-}" ] || [ -n "${SSM_PREFIX:-}" ]; then
  exit 0
fi
base=${OPENAI_BASE_URL:-}
if [ -n "$base" ] && [ "${base%/}" != "https://api.openai.com/v1" ]; then
  exit 0
fi
cat >&2 <<'MSG'
OPENAI_API_KEY is not set: `make run` asks the model a question. Set it, for example
  OPENAI_API_KEY=sk-… make run
or point OPENAI_BASE_URL at an OpenAI-compatible server (no key needed), for example
  OPENAI_BASE_URL=http://localhost:11434/v1 AI_MODEL=llama3.1 make run
MSG
exit 2
