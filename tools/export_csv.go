package tools

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// Exporter streams a statement's result as CSV; *readonly.DB is one.
type Exporter interface {
	CopyCSV(ctx context.Context, sql string, w io.Writer, limits readonly.ExportLimits) (readonly.Export, error)
}

// File is an exported file ready to be sent.
type File struct {
	// Path is a local file that the sender reads; it is removed afterwards.
	Path string
	// Size is the file's size in bytes.
	Size int64
	// Name is the file name shown to people, such as "result.csv".
	Name string
	// Title is a short title.
	Title string
	// Comment accompanies the file (row count, whether it was cut).
	Comment string
}

// FileSender sends a file into the conversation (the Slack thread).
type FileSender interface {
	SendFile(ctx context.Context, f File) error
}

// Export writes a statement's full result to a CSV file and sends it. The
// Slack "export csv" command uses it directly; the export_csv tool wraps it.
type Export struct {
	DB    Exporter
	Files FileSender
	// MaxRows and MaxBytes cap the file (EXPORT_MAX_ROWS, EXPORT_MAX_BYTES).
	MaxRows  int
	MaxBytes int64
	TempDir  string
	Logger   *slog.Logger
}

// DefaultExportMaxBytes is EXPORT_MAX_BYTES's default.
const DefaultExportMaxBytes = 100 << 20

// Run exports sql. PostgreSQL's refusals come back as *readonly.SQLError.
func (e *Export) Run(ctx context.Context, sql string) (Output, error) {
	if e.Files == nil {
		return Failure("exporting files is not available here"), nil
	}
	limits := readonly.ExportLimits{MaxRows: e.MaxRows, MaxBytes: e.MaxBytes}
	if limits.MaxRows <= 0 {
		limits.MaxRows = 1_000_000
	}
	if limits.MaxBytes <= 0 {
		limits.MaxBytes = DefaultExportMaxBytes
	}
	tmp, err := os.CreateTemp(e.TempDir, "analytics-bot-export-*.csv")
	if err != nil {
		return Output{}, fmt.Errorf("export: temporary file: %w", err)
	}
	defer func() {
		tmp.Close()
		if err := os.Remove(tmp.Name()); err != nil && !errors.Is(err, os.ErrNotExist) && e.Logger != nil {
			e.Logger.WarnContext(ctx, "could not remove an export file", slog.Any("error", err))
		}
	}()

	w := bufio.NewWriterSize(tmp, 256<<10)
	res, err := e.DB.CopyCSV(ctx, sql, w, limits)
	if err != nil {
		return Output{}, err
	}
	if err := w.Flush(); err != nil {
		return Output{}, fmt.Errorf("export: write: %w", err)
	}
	info, err := tmp.Stat()
	if err != nil {
		return Output{}, fmt.Errorf("export: %w", err)
	}
	comment := fmt.Sprintf("%d rows", res.Rows)
	name := "result-" + time.Now().UTC().Format("20060102-150405")
	title := "Query result"
	switch {
	case res.CutAtBytes:
		comment = fmt.Sprintf("PARTIAL FILE: first %d rows only. The result is larger than the export limit of %s (EXPORT_MAX_BYTES); the rest was not exported.", res.Rows, sizeText(limits.MaxBytes))
		name, title = name+"-partial", "Query result (PARTIAL: cut at the size limit)"
	case res.Truncated:
		comment = fmt.Sprintf("PARTIAL FILE: first %d rows only. The result has more rows than the export limit (EXPORT_MAX_ROWS); the rest was not exported.", res.Rows)
		name, title = name+"-partial", "Query result (PARTIAL: cut at the row limit)"
	}
	file := File{Path: tmp.Name(), Size: info.Size(), Name: name + ".csv", Title: title, Comment: comment}
	if err := e.Files.SendFile(ctx, file); err != nil {
		return Output{}, fmt.Errorf("export: send file: %w", err)
	}
	text := fmt.Sprintf("The CSV file %s was posted in the conversation with %d rows.", file.Name, res.Rows)
	if res.Cut() {
		text += " It was cut at the export limit and is PARTIAL: " + comment + " Tell the user the file is incomplete; to get everything, export fewer columns or rows (aggregate or filter)."
	}
	return Output{Text: text, Summary: comment, RowCount: int(res.Rows), Truncated: res.Cut()}, nil
}

// sizeText says a byte count the way EXPORT_MAX_BYTES is written.
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%dMB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%dKB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ExportCSV is the model's tool around Export.
type ExportCSV struct {
	export    *Export
	latestSQL func(ctx context.Context) (string, error)
	// allow takes one of the question's exports; false when none is left.
	allow func() bool
	max   int
}

// Name implements Tool.
func (*ExportCSV) Name() string { return "export_csv" }

// Description implements Tool.
func (*ExportCSV) Description() string {
	return "Post the FULL result of a query as a CSV file in the conversation (for results too big for a message, or when the user asks for a file). " +
		"Without sql, exports the latest successful query."
}

// Parameters implements Tool.
func (*ExportCSV) Parameters() map[string]any {
	return map[string]any{
		"type": "object",
		"properties": map[string]any{
			"sql": map[string]any{
				"type":        "string",
				"description": "One SELECT statement; omit to export the latest query's result.",
			},
		},
		"additionalProperties": false,
	}
}

// Call implements Tool.
func (x *ExportCSV) Call(ctx context.Context, raw json.RawMessage) (Output, error) {
	var args struct {
		SQL string `json:"sql"`
	}
	if bad := decodeArgs(raw, &args); bad != nil {
		return *bad, nil
	}
	if x.allow != nil && !x.allow() {
		return Failure(fmt.Sprintf("refused: this question already posted its %d export(s) (MAX_EXPORTS_PER_QUESTION); answer with what was exported", x.max)), nil
	}
	sql := strings.TrimSpace(args.SQL)
	if sql == "" {
		latest, err := x.latestSQL(ctx)
		if errors.Is(err, history.ErrNotFound) {
			return Failure("there is no earlier query to export; pass the sql argument"), nil
		}
		if err != nil {
			return Output{}, fmt.Errorf("export: latest SQL: %w", err)
		}
		sql = latest
	}
	out, err := x.export.Run(ctx, sql)
	var sqlErr *readonly.SQLError
	if errors.As(err, &sqlErr) {
		return Failure(sqlErr.Error()), nil
	}
	return out, err
}
