package readonly

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLError is PostgreSQL's refusal of a statement, in words the model
// can act on. It is a result for the model, not a failure of the bot.
type SQLError struct {
	// Code is the SQLSTATE, when PostgreSQL gave one.
	Code string
	// Message is the readable problem.
	Message string
	// Detail and Hint are PostgreSQL's extra lines, if any.
	Detail string
	Hint   string
	// Position is the 1-based character of the SQL the error points at.
	Position int32
	// UnknownColumn is the column PostgreSQL could not find, if that was
	// the problem, so the caller can suggest existing names.
	UnknownColumn string
}

func (e *SQLError) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Code != "" {
		fmt.Fprintf(&b, " (SQLSTATE %s)", e.Code)
	}
	if e.Detail != "" {
		b.WriteString("\nDetail: " + e.Detail)
	}
	if e.Hint != "" {
		b.WriteString("\nHint: " + e.Hint)
	}
	if e.Position > 0 {
		fmt.Fprintf(&b, "\nAt character %d of the SQL.", e.Position)
	}
	return b.String()
}

// IsTimeout reports whether the statement ran past the timeout.
func (e *SQLError) IsTimeout() bool { return e.Code == "57014" }

var unknownColumnRE = regexp.MustCompile(`column "?([^" ]+)"? does not exist`)

func fromPostgres(err error, timeout time.Duration) *SQLError {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return nil
	}
	se := &SQLError{Code: pgErr.Code, Message: pgErr.Message, Detail: pgErr.Detail, Hint: pgErr.Hint, Position: pgErr.Position}
	switch pgErr.Code {
	case "57014":
		se.Message = fmt.Sprintf("the query was cancelled after the %s statement timeout; make it cheaper (aggregate, filter by a date range, avoid cross joins)", timeout)
	case "25006":
		se.Message = "the bot may only read: " + pgErr.Message
	case "42501":
		if strings.HasPrefix(pgErr.Message, "permission denied for function") {
			se.Message = pgErr.Message + "; the bot may not call it, write the query with plain SELECTs"
		} else {
			se.Message = pgErr.Message + "; only the tables listed by describe_schema can be read"
		}
	case "42601":
		if strings.Contains(pgErr.Message, "multiple commands") {
			se.Message = "only one SQL statement may be run at a time"
		}
	case "42703":
		if m := unknownColumnRE.FindStringSubmatch(pgErr.Message); m != nil {
			name := m[1]
			if i := strings.LastIndex(name, "."); i >= 0 {
				name = name[i+1:]
			}
			se.UnknownColumn = name
		}
	}
	return se
}
