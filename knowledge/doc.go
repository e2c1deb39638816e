// Package knowledge is a team's knowledge of its data: verified queries
// (a question, its paraphrases and the SQL that answers it, checked by a
// person) and a glossary of business terms. Teams keep both as YAML files
// in git (KNOWLEDGE_DIR, or the demo set built into the binary); the bot
// loads them into its private schema, retrieves the few entries that fit a
// question with PostgreSQL full-text search, and answers a question that
// matches a verified one exactly without asking the model.
//
// The bot learns only through people: a curator proposes a verified query
// from an answer in Slack and a curator approves it; nothing is ever
// verified automatically.
package knowledge
