package chart

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// dotsUpTo is the number of x values up to which points get a dot as
// well as a line, so that sparse and single-point series stay visible.
const dotsUpTo = 40

// drawLine draws d below its header on c.
func drawLine(c draw.Canvas, d lineData, title, note string) error {
	body := drawHeader(c, title, note)

	if len(d.series) > 1 {
		entries := make([]legendEntry, len(d.series))
		for i, s := range d.series {
			entries[i] = legendEntry{name: s.name, color: palette[i%len(palette)]}
		}
		w := legendWidth(entries)
		drawLegend(draw.Crop(body, body.Max.X-body.Min.X-w, 0, 0, 0), entries)
		body = draw.Crop(body, 0, -(w + margin), 0, 0)
	}

	p := newPlot(d.xName, d.yName)
	// The lowest grid line is the baseline; an axis line under it would
	// be a second one. The padding keeps the first date clear of the
	// lowest value label.
	p.X.Color = color.Transparent
	p.X.Padding = 12

	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range d.series {
		for _, xy := range s.xys {
			lo, hi = math.Min(lo, xy.Y), math.Max(hi, xy.Y)
		}
	}
	// The ranges are set before Add, which only ever widens them.
	var step float64
	p.Y.Min, p.Y.Max, step = valueRange(lo, hi, 5)
	p.Y.Tick.Marker = valueTicks{step: step, money: d.money}
	p.X.Min, p.X.Max = unixSeconds(d.lo), unixSeconds(d.hi)
	p.X.Tick.Marker = timeTicks(d.lo, d.hi, d.grain)

	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal = draw.LineStyle{Color: gridColor, Width: 1}
	p.Add(grid)

	width := vg.Length(3.5)
	if len(d.series) > 3 {
		width = 2.5
	}
	for i, s := range d.series {
		col := palette[i%len(palette)]
		l, err := plotter.NewLine(s.xys)
		if err != nil {
			return err
		}
		l.LineStyle = draw.LineStyle{Color: col, Width: width}
		p.Add(l)
		if d.distinctXs <= dotsUpTo || len(s.xys) == 1 {
			dots, err := plotter.NewScatter(s.xys)
			if err != nil {
				return err
			}
			dots.GlyphStyle = draw.GlyphStyle{Color: col, Radius: width + 1.5, Shape: draw.CircleGlyph{}}
			p.Add(dots)
		}
	}
	p.Draw(body)
	return nil
}
