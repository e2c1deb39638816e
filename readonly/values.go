package readonly

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// normalize turns a value decoded by pgx into one of the few kinds the
// rest of the bot handles: int64, float64, string, bool, time.Time or nil.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, time.Time:
		return x
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int8:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case pgtype.Numeric:
		return numeric(x)
	case *big.Int:
		return x.String()
	case []byte:
		return `\x` + hex.EncodeToString(x)
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	case pgtype.Interval:
		if v, err := x.Value(); err == nil && v != nil {
			return fmt.Sprint(v)
		}
		return nil
	case fmt.Stringer:
		return x.String()
	default:
		if b, err := json.Marshal(x); err == nil {
			return string(b)
		}
		return fmt.Sprint(x)
	}
}

// builtinTypes names the built-in types that pgx does not register.
var builtinTypes = map[uint32]string{
	790: "money", 142: "xml", 1266: "timetz", 3614: "tsvector", 3615: "tsquery", 1270: "_timetz", 791: "_money",
}

// typeName is a result column's type name: pgx's name for it, a built-in
// name pgx lacks, or oid:N for a type of the database's own (an enum, a
// domain, an extension's type).
func typeName(m *pgtype.Map, oid uint32) string {
	if t, ok := m.TypeForOID(oid); ok {
		return t.Name
	}
	if name, ok := builtinTypes[oid]; ok {
		return name
	}
	return fmt.Sprintf("oid:%d", oid)
}

// fromText returns a cell's display text, PostgreSQL's own text output
// (booleans spelled true and false, as their cast to text does), and its
// value, which the exact text improves where the decoded one is lossy:
// real and double precision take their shortest round-trip form, and
// numeric a float64 parsed from the exact text (or the text itself when
// it is NaN or infinite).
func fromText(oid uint32, raw []byte, v any) (string, any) {
	if raw == nil {
		return "", nil
	}
	text := string(raw)
	switch oid {
	case pgtype.BoolOID:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), v
		}
	case pgtype.Float4OID, pgtype.Float8OID, pgtype.NumericOID:
		f, err := strconv.ParseFloat(text, 64)
		switch {
		case err == nil && !math.IsInf(f, 0) && !math.IsNaN(f):
			return text, f
		case oid == pgtype.NumericOID:
			return text, text
		}
	}
	if v == nil {
		// PostgreSQL sent a value (JSON null, for one) that pgx decodes
		// to nil: it is not SQL NULL, so keep its text.
		return text, text
	}
	return text, v
}

func numeric(n pgtype.Numeric) any {
	if !n.Valid {
		return nil
	}
	f, err := n.Float64Value()
	if err != nil || !f.Valid || math.IsInf(f.Float64, 0) || math.IsNaN(f.Float64) {
		if v, err := n.Value(); err == nil && v != nil {
			return fmt.Sprint(v)
		}
		return nil
	}
	return f.Float64
}
