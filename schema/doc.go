// Package schema tells the model what it may query: it introspects the
// tables and views the read-only role can read (columns, types, comments,
// keys, row estimates, a few distinct values of low-cardinality text
// columns, date ranges), caches the result, and renders it twice: a compact
// Summary for the system prompt and the fuller Describe that the
// describe_schema tool returns.
//
// Everything read from the database (comments, values) is data, not
// instructions: it is put on one line, stripped of control characters and
// length-capped before it is stored, so a string planted in a table cannot
// start a line of its own in the prompt.
package schema
