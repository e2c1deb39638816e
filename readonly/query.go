package readonly

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// Query runs one statement and returns at most MaxRows rows. It reads one
// row more than the cap to know whether the result was cut, then cancels
// the statement on the server. PostgreSQL's refusals come back as
// *SQLError, which the caller shows to the model.
func (d *DB) Query(ctx context.Context, sql string) (*Result, error) {
	sql, err := d.cleanSQL(sql)
	if err != nil {
		return nil, err
	}
	res := &Result{SQL: sql}
	start := time.Now()
	err = d.withTx(ctx, func(conn *pgx.Conn) error {
		return d.collect(ctx, conn, sql, res)
	})
	res.Duration = time.Since(start)
	if err != nil {
		return nil, classify(ctx, err, d.timeout)
	}
	return res, nil
}

func (d *DB) collect(ctx context.Context, conn *pgx.Conn, sql string, res *Result) error {
	queryCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The exec mode asks for every column in PostgreSQL's text format,
	// which is what Texts keeps: the values exactly as psql shows them.
	rows, err := conn.Query(queryCtx, sql, pgx.QueryExecModeExec)
	if err != nil {
		return err
	}
	defer rows.Close()

	typeMap := conn.TypeMap()
	fields := rows.FieldDescriptions()
	for _, f := range fields {
		res.Columns = append(res.Columns, Column{Name: f.Name, Type: typeName(typeMap, f.DataTypeOID)})
	}

	var size int64
	for rows.Next() {
		if len(res.Rows) == d.maxRows {
			res.Truncated = true
			cancel() // the server stops the statement; the connection survives
			rows.Close()
			return nil
		}
		for _, raw := range rows.RawValues() {
			size += int64(len(raw)) + 4
		}
		if size > d.maxBytes {
			cancel()
			rows.Close()
			res.Rows = nil
			return tooLarge(d.maxBytes)
		}
		values, err := rows.Values()
		if err != nil {
			return fmt.Errorf("decode row: %w", err)
		}
		raw := rows.RawValues()
		texts := make([]string, len(values))
		for i, v := range values {
			values[i] = normalize(v)
			if i < len(raw) && i < len(fields) {
				texts[i], values[i] = fromText(fields[i].DataTypeOID, raw[i], values[i])
			}
		}
		res.Rows = append(res.Rows, values)
		res.Texts = append(res.Texts, texts)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(res.Columns) == 0 {
		return &SQLError{Message: "the statement returned no result set; only SELECT (or WITH … SELECT, VALUES, TABLE) queries are allowed"}
	}
	return nil
}

// tooLarge is the answer to a result over the byte budget.
func tooLarge(budget int64) *SQLError {
	return &SQLError{Code: "54000", Message: fmt.Sprintf(
		"result larger than %s, aggregate or export instead: the query was stopped; "+
			"return fewer or shorter values (GROUP BY, count(*), left(col, 100)) or use export_csv for a file", formatBytes(budget))}
}

// formatBytes says a byte count the way the settings are written.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// classify turns a failure into an *SQLError when it is something the
// model can act on, or wraps it otherwise.
func classify(ctx context.Context, err error, timeout time.Duration) error {
	var sqlErr *SQLError
	if errors.As(err, &sqlErr) {
		return sqlErr
	}
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	if errors.As(err, &tooBig) {
		return &SQLError{Code: "54000", Message: fmt.Sprintf(
			"a single row of the result is larger than %s, aggregate or export instead: the query was stopped; "+
				"return shorter values (left(col, 100), length(col)) instead of whole large ones", formatBytes(int64(tooBig.MaxExpectedBodyLen)))}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("read-only query: %w", ctx.Err())
	}
	if se := fromPostgres(err, timeout); se != nil {
		return se
	}
	return fmt.Errorf("read-only query: %w", err)
}
