package readonly

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// Check proves that sql is a single statement that returns rows, by
// preparing it on the read-only connection without running it. It returns
// the statement's columns.
func (d *DB) Check(ctx context.Context, sql string) ([]Column, error) {
	sql, err := cleanSQL(sql)
	if err != nil {
		return nil, &SQLError{Message: err.Error()}
	}
	var cols []Column
	err = d.withTx(ctx, func(conn *pgx.Conn) error {
		var err error
		cols, err = describe(ctx, conn, sql)
		return err
	})
	if err != nil {
		return nil, classify(ctx, err, d.timeout)
	}
	return cols, nil
}

func describe(ctx context.Context, conn *pgx.Conn, sql string) ([]Column, error) {
	desc, err := conn.PgConn().Prepare(ctx, "", sql, nil)
	if err != nil {
		return nil, err
	}
	if len(desc.Fields) == 0 {
		return nil, &SQLError{Message: "the statement returns no rows; only SELECT (or WITH … SELECT, VALUES, TABLE) queries can be exported"}
	}
	if len(desc.ParamOIDs) > 0 {
		return nil, &SQLError{Message: "the statement has $n parameters; write the values into the SQL"}
	}
	cols := make([]Column, len(desc.Fields))
	for i, f := range desc.Fields {
		cols[i] = Column{Name: f.Name, Type: strconv.FormatUint(uint64(f.DataTypeOID), 10)}
		if t, ok := conn.TypeMap().TypeForOID(f.DataTypeOID); ok {
			cols[i].Type = t.Name
		}
	}
	return cols, nil
}

// Export is the outcome of CopyCSV.
type Export struct {
	// Rows is the number of data rows written (the header not counted).
	Rows int64
	// Truncated is true when the result had more than maxRows rows.
	Truncated bool
}

// CopyCSV streams the result of sql as CSV with a header row into w,
// at most maxRows data rows, as the read-only role in a read-only
// transaction. The SQL is first proved to be one row-returning statement,
// so that it cannot break out of the COPY wrapper.
func (d *DB) CopyCSV(ctx context.Context, sql string, w io.Writer, maxRows int) (Export, error) {
	sql, err := cleanSQL(sql)
	if err != nil {
		return Export{}, &SQLError{Message: err.Error()}
	}
	if maxRows <= 0 {
		return Export{}, errors.New("export: maxRows must be positive")
	}
	var out Export
	err = d.withTx(ctx, func(conn *pgx.Conn) error {
		if _, err := describe(ctx, conn, sql); err != nil {
			return err
		}
		// The statement was proved to stand alone, so wrapping it on lines
		// of its own cannot change its meaning; a trailing comment cannot
		// swallow the closing parenthesis.
		copySQL := fmt.Sprintf("COPY (SELECT * FROM (\n%s\n) AS export LIMIT %d) TO STDOUT WITH (FORMAT csv, HEADER)", sql, maxRows+1)
		cw := &csvLimiter{w: w, maxRecords: int64(maxRows) + 1}
		if _, err := conn.PgConn().CopyTo(ctx, cw, copySQL); err != nil {
			return err
		}
		out.Rows = max(cw.records-1, 0)
		out.Truncated = cw.dropped
		return cw.err
	})
	if err != nil {
		return Export{}, classify(ctx, err, d.timeout)
	}
	return out, nil
}

// csvLimiter passes CSV through, counting records (a newline outside
// quotes ends one), and drops every record after maxRecords.
type csvLimiter struct {
	w          io.Writer
	maxRecords int64
	records    int64
	inQuotes   bool
	dropped    bool
	err        error
}

func (c *csvLimiter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	keep := len(p)
	if c.records >= c.maxRecords {
		c.dropped = true
		return len(p), nil
	}
	for i, b := range p {
		switch {
		case b == '"':
			c.inQuotes = !c.inQuotes
		case b == '\n' && !c.inQuotes:
			c.records++
			if c.records == c.maxRecords {
				keep = i + 1
				if keep < len(p) {
					c.dropped = true
				}
			}
		}
		if c.records == c.maxRecords {
			break
		}
	}
	if _, err := c.w.Write(p[:keep]); err != nil {
		c.err = fmt.Errorf("write CSV: %w", err)
		return 0, c.err
	}
	return len(p), nil
}
