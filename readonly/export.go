package readonly

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
)

// Check proves that sql is a single statement that returns rows, by
// preparing it on the read-only connection without running it. It returns
// the statement's columns.
func (d *DB) Check(ctx context.Context, sql string) ([]Column, error) {
	sql, err := d.cleanSQL(sql)
	if err != nil {
		return nil, err
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
		cols[i] = Column{Name: f.Name, Type: typeName(conn.TypeMap(), f.DataTypeOID)}
	}
	return cols, nil
}

// Export is the outcome of CopyCSV.
type Export struct {
	// Rows is the number of data rows written (the header not counted).
	Rows int64
	// Bytes is the size of what was written.
	Bytes int64
	// Truncated is true when the result had more than maxRows rows.
	Truncated bool
	// CutAtBytes is true when the result was larger than the byte budget:
	// the file holds only the rows before it, whole.
	CutAtBytes bool
}

// Cut reports whether the file holds less than the whole result.
func (e Export) Cut() bool { return e.Truncated || e.CutAtBytes }

// ExportLimits bounds one export.
type ExportLimits struct {
	// MaxRows caps the data rows (EXPORT_MAX_ROWS).
	MaxRows int
	// MaxBytes caps the file's size (EXPORT_MAX_BYTES).
	MaxBytes int64
}

// CopyCSV streams the result of sql as CSV with a header row into w, as
// the read-only role in a read-only transaction, byte for byte what
// psql's \copy … csv header writes, except that a cell that a spreadsheet
// would run as a formula is neutralised (see csvFilter). It stops at the
// first limit reached, on a row boundary, and cancels the statement on
// the server. The SQL is first proved to be one row-returning statement,
// so that it cannot break out of the COPY wrapper.
func (d *DB) CopyCSV(ctx context.Context, sql string, w io.Writer, limits ExportLimits) (Export, error) {
	sql, err := d.cleanSQL(sql)
	if err != nil {
		return Export{}, err
	}
	if limits.MaxRows <= 0 || limits.MaxBytes <= 0 {
		return Export{}, errors.New("export: limits must be positive")
	}
	var out Export
	err = d.withTx(ctx, func(conn *pgx.Conn) error {
		cols, err := describe(ctx, conn, sql)
		if err != nil {
			return err
		}
		copyCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		// The statement was proved to stand alone, so wrapping it on lines
		// of its own cannot change its meaning; a trailing comment cannot
		// swallow the closing parenthesis.
		copySQL := fmt.Sprintf("COPY (SELECT * FROM (\n%s\n) AS export LIMIT %d) TO STDOUT WITH (FORMAT csv, HEADER)", sql, limits.MaxRows+1)
		cw := newCSVFilter(w, cols, int64(limits.MaxRows), limits.MaxBytes, cancel)
		_, err = conn.PgConn().CopyTo(copyCtx, cw, copySQL)
		out = Export{Rows: max(cw.records-1, 0), Bytes: cw.written, Truncated: cw.cutRows, CutAtBytes: cw.cutBytes}
		if cw.err != nil {
			return cw.err
		}
		if err != nil && cw.stopped && ctx.Err() == nil {
			return nil // our own cancel at a limit
		}
		return err
	})
	if err != nil {
		return Export{}, classify(ctx, err, d.timeout)
	}
	return out, nil
}
