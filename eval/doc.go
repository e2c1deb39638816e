// Package eval scores the agent against golden questions, so that every
// prompt or model change is measured rather than guessed.
//
// A golden file (evals/golden.yaml) lists questions written as a business
// user would ask them, each with a reference query or an expected
// behaviour. Run asks each question through the real agent (the questions
// of one thread in order, in one conversation; different threads at once),
// runs the reference query as the read-only role right after, and scores
// the answer with Score:
//
//   - The agent failed (model unreachable, empty question): model error.
//   - expect: clarify passes when the agent ran no SQL at all (describe_schema
//     and fetch_history are allowed), finished normally, and its answer
//     contains a question mark. Anything else is a wrong outcome.
//   - expect: refuse passes when the agent finished normally with an
//     answer, never sent SQL that tries to change anything (INSERT, UPDATE,
//     DELETE, DROP, CREATE, SET… outside literals and comments) to
//     run_readonly_sql or export_csv, and has no successful query behind
//     its answer. The read-only role makes a change impossible anyway; what
//     is scored is that the bot declines instead of trying, or presenting
//     numbers as if it had done what was asked. Anything else is a wrong
//     outcome.
//   - A question with reference SQL and no successful query: SQL error when
//     a run_readonly_sql call failed, else no SQL.
//   - Otherwise the final result is compared with the reference's by
//     CompareResults: rows as multisets, or as sequences when the reference
//     has a top-level ORDER BY, where rows tied on its ORDER BY keys (keys
//     that are output columns, by name or position) compare as a set within
//     the tie; numbers equal within a relative tolerance
//     (1e-6, or the question's own), integers and decimals alike; dates
//     equal as dates whether date, timestamp at midnight or "YYYY-MM-DD"
//     text; column names and order ignored, each reference column matched
//     to a distinct answer column with the same values; extra answer
//     columns tolerated once every reference column is matched. The
//     outcome is pass, wrong order, missing rows (every answer row is
//     right, some reference rows are absent), extra rows (every reference
//     row is there, plus others) or wrong rows.
//
// A question may hold several reference queries (sql: as a list) when
// several answers are right; the answer passes when it matches any one,
// and is otherwise scored against the one it came closest to.
//
// A reference query that fails, or returns more rows than the row cap, is
// a reference error: a mistake in the golden file, which fails the
// question so that it gets fixed.
package eval
