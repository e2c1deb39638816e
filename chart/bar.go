package chart

import (
	"cmp"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// bar is one category of a bar chart.
type bar struct {
	label string
	value float64
}

// barData is a result reshaped for a bar chart, smallest value first.
type barData struct {
	catName, valName string
	money            bool
	bars             []bar
}

// bar reshapes the result for a bar chart: one text column and one
// numeric column, or, when allowTime is set (the model asked for bars),
// one date column and one numeric column.
func (s shape) bar(allowTime bool) (barData, error) {
	var (
		cat   int
		dates timeLabeler // set when the categories are dates
	)
	switch {
	case s.res == nil:
		return barData{}, unfit("no result")
	case len(s.nums) != 1:
		return barData{}, unfit("a bar chart needs exactly one numeric column, found %d", len(s.nums))
	case len(s.other) > 0:
		return barData{}, unfit("column %q (%s) cannot be drawn", s.colName(s.other[0]), s.res.Columns[s.other[0]].Type)
	case len(s.texts) == 1 && len(s.times) == 0:
		cat = s.texts[0]
	case allowTime && len(s.times) == 1 && len(s.texts) == 0:
		cat = s.times[0]
		dates = newTimeLabeler(s.res.Rows, cat)
	default:
		return barData{}, unfit("a bar chart needs one category column and one numeric column")
	}

	d := barData{catName: s.colName(cat), valName: s.colName(s.nums[0]), money: IsMoney(s.colName(s.nums[0]))}
	for _, row := range s.res.Rows {
		v, ok := numberValue(cell(row, s.nums[0]))
		if !ok {
			continue
		}
		name := label(cell(row, cat))
		if dates != nil {
			t, ok := timeValue(cell(row, cat))
			if !ok {
				continue
			}
			name = dates(t)
		}
		d.bars = append(d.bars, bar{label: name, value: v})
	}
	if n := len(d.bars); n < minBars || n > maxBars {
		return barData{}, unfit("a bar chart needs %d to %d rows with a value, found %d", minBars, maxBars, n)
	}
	// Ascending, because the first bar is drawn at the bottom: the
	// largest ends up on top and equal values read alphabetically.
	slices.SortStableFunc(d.bars, func(a, b bar) int {
		return cmp.Or(cmp.Compare(a.value, b.value), strings.Compare(b.label, a.label))
	})
	return d, nil
}

// drawBar draws d as horizontal bars below its header on c, each bar
// labelled with its value at its end.
func drawBar(c draw.Canvas, d barData, title, note string) {
	body := drawHeader(c, title, note)

	// Many bars get smaller labels, so that neighbours do not touch.
	spacing := (body.Max.Y - body.Min.Y - xAxisHeight) / vg.Length(len(d.bars))
	catSize := min(max(spacing*0.8, minLabelSize), axisSize-1)
	valSty := textStyle(min(max(spacing*0.75, minLabelSize-1), valueSize), labelColor, false)
	valSty.YAlign = draw.YCenter
	bars := &hbars{style: valSty}
	cats := make([]string, len(d.bars))
	lo, hi := 0.0, 0.0
	room := vg.Length(0)
	for i, b := range d.bars {
		cats[i] = truncate(b.label, maxCategory)
		bars.values = append(bars.values, b.value)
		bars.labels = append(bars.labels, FormatNumber(b.value, d.money))
		room = max(room, valSty.Width(bars.labels[i]))
		lo, hi = math.Min(lo, b.value), math.Max(hi, b.value)
	}
	// Value labels are drawn past the end of the bars: keep room for
	// them on the right, outside the data area.
	room += barLabelGap + 4
	body = draw.Crop(body, 0, -room, 0, 0)

	p := newPlot(d.valName, d.catName)
	p.NominalY(cats...)
	p.Y.Min, p.Y.Max = -0.5, float64(len(cats))-0.5
	p.X.Padding = 0
	p.Y.Label.Padding = 14
	p.Y.Tick.Label.Color = labelColor
	p.Y.Tick.Label.Font = textStyle(catSize, labelColor, false).Font

	var step float64
	p.X.Min, p.X.Max, step = valueRange(lo, hi, 6)
	if lo < 0 && (lo-p.X.Min) < (p.X.Max-p.X.Min)/8 {
		// The longest negative bar nearly reaches the left edge: move the
		// data away from the category names to make room for its label.
		p.Y.Padding = room
	}
	p.X.Tick.Marker = valueTicks{step: step, money: d.money}
	p.X.Color = color.Transparent

	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	grid.Vertical = draw.LineStyle{Color: gridColor, Width: 1}
	p.Add(grid, bars)
	p.Draw(body)
}

const (
	xAxisHeight  = vg.Length(75) // about: tick labels, axis label, padding
	minLabelSize = vg.Length(13)
	barLabelGap  = vg.Length(8)
	barThickness = 0.72           // share of the space between categories
	maxBarHeight = vg.Length(56)  // so that two bars do not look like blocks
	zeroLine     = vg.Length(1.5) // width of the line at zero
)

// hbars draws horizontal bars at y = 0, 1, 2... with value labels.
type hbars struct {
	values []float64
	labels []string
	style  text.Style
}

// Plot implements plot.Plotter.
func (b *hbars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	half := min((trY(1)-trY(0))*barThickness, maxBarHeight) / 2
	x0 := trX(0)
	for i, v := range b.values {
		y := trY(float64(i))
		x1 := trX(v)
		col, sty, lx := palette[0], b.style, x1+barLabelGap
		if v < 0 {
			col, lx = palette[2], x1-barLabelGap
			sty.XAlign = draw.XRight
		}
		c.FillPolygon(col, []vg.Point{{X: x0, Y: y - half}, {X: x0, Y: y + half}, {X: x1, Y: y + half}, {X: x1, Y: y - half}})
		c.FillText(sty, vg.Point{X: lx, Y: y}, b.labels[i])
	}
	c.StrokeLine2(draw.LineStyle{Color: axisColor, Width: zeroLine}, x0, c.Min.Y, x0, c.Max.Y)
}
