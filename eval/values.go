package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// cell is a result value reduced to what comparison needs: a number, or a
// canonical text for everything else.
type cell struct {
	isNum bool
	num   float64
	key   string
}

// cellOf reduces a normalised value (int64, float64, string, bool,
// time.Time or nil). Integers and floats are numbers alike; a date and a
// timestamp at midnight are the same date; a "YYYY-MM-DD" string is that
// date too.
func cellOf(v any) cell {
	switch x := v.(type) {
	case nil:
		return cell{key: "null"}
	case int64:
		return cell{isNum: true, num: float64(x)}
	case float64:
		if math.IsNaN(x) {
			return cell{key: "NaN"}
		}
		return cell{isNum: true, num: x}
	case bool:
		return cell{key: "b:" + strconv.FormatBool(x)}
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return cell{key: "d:" + x.Format(time.DateOnly)}
		}
		return cell{key: "t:" + x.UTC().Format(time.RFC3339Nano)}
	case string:
		if d, err := time.Parse(time.DateOnly, x); err == nil {
			return cell{key: "d:" + d.Format(time.DateOnly)}
		}
		return cell{key: "s:" + x}
	default:
		return cell{key: "?:" + fmt.Sprint(x)}
	}
}

// equal compares two cells, numbers within the relative tolerance.
func (c cell) equal(o cell, tol float64) bool {
	if c.isNum != o.isNum {
		return false
	}
	if !c.isNum {
		return c.key == o.key
	}
	return numbersEqual(c.num, o.num, tol)
}

// numbersEqual is a relative comparison with a tiny absolute floor, so
// that 0 and 1e-12 are equal too.
func numbersEqual(a, b, tol float64) bool {
	if a == b {
		return true
	}
	diff := math.Abs(a - b)
	return diff <= tol*math.Max(math.Abs(a), math.Abs(b)) || diff <= 1e-9
}

// order sorts cells: numbers first by value, then the rest by text.
func (c cell) order(o cell) int {
	switch {
	case c.isNum && !o.isNum:
		return -1
	case !c.isNum && o.isNum:
		return 1
	case c.isNum:
		return cmp.Compare(c.num, o.num)
	default:
		return cmp.Compare(c.key, o.key)
	}
}

// table is a result as rows of cells.
type table struct {
	names []string
	rows  [][]cell
}

func tableOf(names []string, rows [][]any) table {
	t := table{names: names, rows: make([][]cell, len(rows))}
	for i, row := range rows {
		t.rows[i] = make([]cell, len(row))
		for j, v := range row {
			t.rows[i][j] = cellOf(v)
		}
	}
	return t
}

// column returns column j's cells, sorted.
func (t table) column(j int) []cell {
	col := make([]cell, len(t.rows))
	for i, row := range t.rows {
		col[i] = row[j]
	}
	slices.SortFunc(col, cell.order)
	return col
}

// matchSorted counts the pairs of two sorted columns that are equal
// within the tolerance, each value used once.
func matchSorted(a, b []cell, tol float64) int {
	matched, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].equal(b[j], tol):
			matched++
			i++
			j++
		case a[i].order(b[j]) < 0:
			i++
		default:
			j++
		}
	}
	return matched
}
