// Package readonly runs model-written SQL safely: only as the read-only
// role, one statement, in a READ ONLY transaction with a statement
// timeout, rows capped, and the connection reset before it is reused.
package readonly
