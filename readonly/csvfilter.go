package readonly

import (
	"fmt"
	"io"
)

// csvFilter sits between COPY … TO STDOUT (FORMAT csv, HEADER) and the
// file. It passes PostgreSQL's CSV through unchanged except for two
// things: a data cell whose text starts with =, +, -, @, tab or carriage
// return gets a ' in front (OWASP's advice against formula injection),
// inside the quotes when the cell is quoted; and it stops, on a row
// boundary, at the row or byte limit, calling stop so that the statement
// is cancelled on the server. The header row is never changed, and
// neither are columns of number types, whose minus sign is a number's.
//
// A row is kept whole in memory until its newline: PostgreSQL sends one
// row per protocol message, which MaxMessageBytes bounds.
type csvFilter struct {
	w        io.Writer
	plain    []bool // per column: a number type, left alone
	maxRows  int64
	maxBytes int64
	stop     func()

	row        []byte
	field      int
	fieldStart bool // the next byte is a cell's first
	quoteStart bool // the previous byte opened a quoted cell
	inQuotes   bool

	records  int64 // records written, the header included
	written  int64
	stopped  bool
	cutRows  bool
	cutBytes bool
	err      error
}

func newCSVFilter(w io.Writer, cols []Column, maxRows, maxBytes int64, stop func()) *csvFilter {
	plain := make([]bool, len(cols))
	for i, c := range cols {
		plain[i] = numberTypes[c.Type]
	}
	return &csvFilter{w: w, plain: plain, maxRows: maxRows, maxBytes: maxBytes, stop: stop, fieldStart: true}
}

// numberTypes are the types whose CSV text is a plain number.
var numberTypes = map[string]bool{
	"int2": true, "int4": true, "int8": true, "numeric": true, "float4": true, "float8": true, "oid": true,
}

// formulaStart reports whether a spreadsheet would read a cell starting
// with b as a formula (or strip b and then do so).
func formulaStart(b byte) bool {
	switch b {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

func (c *csvFilter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for _, b := range p {
		if c.stopped {
			break
		}
		if c.records > 0 {
			switch {
			case c.fieldStart:
				c.fieldStart = false
				if b == '"' {
					c.quoteStart = true
				} else if c.neutralise(b) {
					c.row = append(c.row, '\'')
				}
			case c.quoteStart:
				c.quoteStart = false
				if b != '"' && c.neutralise(b) {
					c.row = append(c.row, '\'')
				}
			}
		}
		c.row = append(c.row, b)
		switch {
		case b == '"':
			c.inQuotes = !c.inQuotes
		case c.inQuotes:
		case b == ',':
			c.field++
			c.fieldStart = true
		case b == '\n':
			c.endRow()
		}
	}
	return len(p), c.err
}

func (c *csvFilter) neutralise(b byte) bool {
	return formulaStart(b) && (c.field >= len(c.plain) || !c.plain[c.field])
}

// endRow writes the finished row, or stops at a limit.
func (c *csvFilter) endRow() {
	switch {
	case c.records > c.maxRows: // the header plus maxRows rows are out
		c.cutRows = true
	case c.records > 0 && c.written+int64(len(c.row)) > c.maxBytes:
		c.cutBytes = true
	default:
		if _, err := c.w.Write(c.row); err != nil {
			c.err = fmt.Errorf("write CSV: %w", err)
			c.halt()
			return
		}
		c.written += int64(len(c.row))
		c.records++
		c.row = c.row[:0]
		c.field, c.fieldStart, c.quoteStart = 0, true, false
		return
	}
	c.halt()
}

func (c *csvFilter) halt() {
	c.stopped = true
	c.row = nil
	c.stop()
}
