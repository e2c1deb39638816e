// Package schema tells the model what it may query: it introspects the
// tables and views the read-only role can read in every schema it may use
// (columns, types, comments, keys, declared foreign keys, row estimates,
// the distinct values of low-cardinality text columns, date ranges),
// infers likely joins where no foreign key is declared, caches the
// result, and renders it twice: a Summary for the system prompt and the
// fuller Describe that the describe_schema tool returns.
//
// The summary has a budget. Tables are described in full while it lasts,
// the rest listed by name; when the catalog does not fit, the tables
// PostgreSQL's full-text search finds relevant to the question (and their
// join neighbours) come first.
//
// Everything read from the database (comments, values) is data, not
// instructions: comments are put on one line, stripped of control
// characters, with < and > replaced and length-capped; sample values are
// shown whole as exact SQL literals (escape strings where needed) or not
// at all; and both renderings sit between <data> markers under a note
// that says so.
package schema
