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
if [ -n "${DEFAULT_QUESTION:-}" ] && [ "${QUESTION:-}" = "$DEFAULT_QUESTION" ]; then
  # The demo knowledge verifies the default question: it is answered from
  # its verified query with no model call.
  echo "No model configured (OPENAI_API_KEY is not set): answering the default question from its verified query, with no model call. Set OPENAI_API_KEY to ask anything else." >&2
  exit 0
fi
cat >&2 <<'MSG'
OPENAI_API_KEY is not set: `make run` asks the model this question (only the default
question is answered without a model, from its verified query). Set it, for example
  OPENAI_API_KEY=sk-… make run
or point OPENAI_BASE_URL at an OpenAI-compatible server (no key needed), for example
  OPENAI_BASE_URL=http://localhost:11434/v1 AI_MODEL=llama3.1 make run
MSG
exit 2
