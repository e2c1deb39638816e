#!/usr/bin/env bash
# Checks that a model is configured before `make run` builds and migrates:
# OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL for any OpenAI-compatible
# server. With SSM_PREFIX set the binary reads them from SSM and checks them.
# Without a model, `make run`'s default question still runs: it is one of the
# built-in verified queries, answered with no model call (the Makefile sets
# QUESTION_IS_DEFAULT=1 when QUESTION was not overridden).
set -euo pipefail
if [ -n "${OPENAI_API_KEY:-}" ] || [ -n "${SSM_PREFIX:-}" ]; then
  exit 0
fi
base=${OPENAI_BASE_URL:-}
if [ -n "$base" ] && [ "${base%/}" != "https://api.openai.com/v1" ]; then
  exit 0
fi
if [ "${QUESTION_IS_DEFAULT:-}" = 1 ] && [ -z "${KNOWLEDGE_DIR:-}" ]; then
  echo "no model configured (OPENAI_API_KEY is not set): answering the default question from the built-in verified queries, with no model call" >&2
  exit 0
fi
cat >&2 <<'MSG'
OPENAI_API_KEY is not set: `make run` asks the model a question. Set it, for example
  OPENAI_API_KEY=sk-… make run
or point OPENAI_BASE_URL at an OpenAI-compatible server (no key needed), for example
  OPENAI_BASE_URL=http://localhost:11434/v1 AI_MODEL=llama3.1 make run
Without a model only the verified questions are answered, such as `make run`'s default QUESTION.
MSG
exit 2
