package main

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// connectError is a failed connection to PostgreSQL told as its one real
// cause plus what to do. pgx tries TLS first and then plain text
// (sslmode=prefer) and reports every attempt; on a server without TLS the
// first line, "server refused TLS connection", is a red herring that hides
// the failure that matters, such as a rejected password.
func connectError(err error, host string, port int, who string) error {
	cause, advice := connectCause(err)
	msg := fmt.Sprintf("connect to PostgreSQL at %s:%d as %s: %s", host, port, who, cause)
	if advice != "" {
		msg += "; " + advice
	}
	return &causeError{msg: msg, err: err}
}

// causeError keeps pgx's whole error for errors.Is/As while its message is
// only the real cause.
type causeError struct {
	msg string
	err error
}

func (e *causeError) Error() string { return e.msg }
func (e *causeError) Unwrap() error { return e.err }

func connectCause(err error) (cause, advice string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		cause = fmt.Sprintf("%s: %s (SQLSTATE %s)", pgErr.Severity, pgErr.Message, pgErr.Code)
		switch pgErr.Code {
		case "28P01": // invalid_password
			return cause, "set POSTGRES_PASSWORD to the password of POSTGRES_USER (the defaults assume a server that trusts local connections)"
		case "28000": // invalid_authorization_specification: unknown role, no pg_hba.conf entry, not allowed to log in
			return cause, "check POSTGRES_USER and POSTGRES_PASSWORD, and that pg_hba.conf lets this user connect"
		case "3D000": // invalid_catalog_name
			return cause, "check POSTGRES_DB, or run 'analytics-bot migrate' as a user who may create it"
		}
		return cause, ""
	}
	// pgx puts one line per attempt below its "failed to connect to …:" prefix.
	var last string
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if _, rest, ok := strings.Cut(line, "failed to connect to `"); ok {
			_, line, _ = strings.Cut(rest, "`:")
			line = strings.TrimSpace(line)
		}
		if line != "" && (last == "" || !strings.Contains(line, "server refused TLS connection")) {
			last = line
		}
	}
	cause = last
	if errors.Is(err, syscall.ECONNREFUSED) {
		return cause, "is PostgreSQL running there? check POSTGRES_HOST and POSTGRES_PORT"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return cause, "the host name does not resolve: check POSTGRES_HOST"
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return cause, "nothing answered in time: check POSTGRES_HOST and POSTGRES_PORT, and that a firewall lets the connection through"
	}
	return cause, ""
}
