package chart

import (
	"image/color"
	"strings"
	"unicode"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The canvas is drawn at 72 dpi so that one point is one pixel, and the
// fonts are large because Slack shows the image at about a third of its
// size in the channel.
const (
	widthPx  = 1200
	heightPx = 600
	dpi      = 72

	margin       = vg.Length(28)
	titleSize    = vg.Length(30)
	noteSize     = vg.Length(18)
	axisSize     = vg.Length(20)
	tickSize     = vg.Length(18)
	legendSize   = vg.Length(18)
	valueSize    = vg.Length(17)
	titleGap     = vg.Length(22) // between the title and the plot
	maxCategory  = 28            // runes of a bar label
	maxLegend    = 24            // runes of a legend entry
	maxAxisLabel = 60            // runes of an axis label
)

// palette is Tableau 10's first eight colours: distinct for the usual
// forms of colour blindness and calm enough for a chat window.
var palette = []color.Color{
	rgb(0x4E79A7), rgb(0xF28E2B), rgb(0xE15759), rgb(0x76B7B2),
	rgb(0x59A14F), rgb(0xEDC948), rgb(0xB07AA1), rgb(0xFF9DA7),
}

var (
	inkColor   = rgb(0x222222) // title
	labelColor = rgb(0x444444) // axis labels and legend
	tickColor  = rgb(0x666666) // tick labels and notes
	gridColor  = rgb(0xE6E6E6)
	axisColor  = rgb(0xBBBBBB)

	sans = font.Font{Typeface: "Liberation", Variant: "Sans"}
)

func rgb(hex uint32) color.RGBA {
	return color.RGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xFF}
}

// textStyle is the chart font at size in colour c, aligned left and on
// the baseline; callers change the alignment where they need to.
func textStyle(size vg.Length, c color.Color, bold bool) text.Style {
	f := font.From(sans, size)
	if bold {
		f.Weight = stdfont.WeightBold
	}
	return text.Style{Color: c, Font: f, Handler: plot.DefaultTextHandler}
}

// newPlot returns a plot in the house style: no title (the header is
// drawn separately), quiet axes, no tick marks, grey tick labels.
func newPlot(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	p.X.Label.Text = truncate(xLabel, maxAxisLabel)
	p.Y.Label.Text = truncate(yLabel, maxAxisLabel)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, axisSize)
		a.Label.TextStyle.Color = labelColor
		a.Label.Padding = 10
		a.Tick.Label.Font = font.From(sans, tickSize)
		a.Tick.Label.Color = tickColor
		a.Tick.Length = 0
		a.Tick.Width = 0
		a.Color = axisColor
		a.Width = 1
		a.Padding = 6
	}
	p.Y.Color = color.Transparent
	return p
}

// legendEntry is one series in a legend.
type legendEntry struct {
	name  string
	color color.Color
}

const (
	swatchWidth = vg.Length(26)
	swatchGap   = vg.Length(10)
	legendRow   = vg.Length(30)
)

// legendWidth is the width a legend of entries needs.
func legendWidth(entries []legendEntry) vg.Length {
	sty := textStyle(legendSize, labelColor, false)
	w := vg.Length(0)
	for _, e := range entries {
		w = max(w, sty.Width(truncate(e.name, maxLegend)))
	}
	return swatchWidth + swatchGap + w
}

// drawLegend draws entries as a column from the top-left of c. The
// legend sits beside the plot, never over the data.
func drawLegend(c draw.Canvas, entries []legendEntry) {
	sty := textStyle(legendSize, labelColor, false)
	sty.YAlign = draw.YCenter
	y := c.Max.Y - legendRow/2
	for _, e := range entries {
		line := draw.LineStyle{Color: e.color, Width: 5}
		c.StrokeLine2(line, c.Min.X, y, c.Min.X+swatchWidth, y)
		c.FillText(sty, vg.Point{X: c.Min.X + swatchWidth + swatchGap, Y: y}, truncate(e.name, maxLegend))
		y -= legendRow
	}
}

// drawHeader draws the title (and a grey note on the right, if any) at
// the top of c and returns the canvas left below it.
func drawHeader(c draw.Canvas, title, note string) draw.Canvas {
	sty := textStyle(titleSize, inkColor, true)
	sty.YAlign = draw.YTop
	noteSty := textStyle(noteSize, tickColor, false)
	noteSty.XAlign = draw.XRight
	noteSty.YAlign = draw.YTop

	room := c.Max.X - c.Min.X
	if note != "" {
		room -= noteSty.Width(note) + 2*margin
		c.FillText(noteSty, vg.Point{X: c.Max.X, Y: c.Max.Y - (sty.Height("Ag")-noteSty.Height("Ag"))/2}, note)
	}
	c.FillText(sty, vg.Point{X: c.Min.X, Y: c.Max.Y}, fitWidth(sty, title, room))
	return draw.Crop(c, 0, 0, 0, -(sty.Height("Ag") + titleGap))
}

// fitWidth shortens s at a word boundary, with an ellipsis, until it is
// no wider than w in sty.
func fitWidth(sty text.Style, s string, w vg.Length) string {
	s = oneLine(s)
	for n := len([]rune(s)); n > 1; n-- {
		if t := truncate(s, n); sty.Width(t) <= w {
			return t
		}
	}
	return ""
}

// truncate shortens s to at most n runes, cutting at a word boundary
// when one is near the end and adding an ellipsis.
func truncate(s string, n int) string {
	s = oneLine(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > 0 && len([]rune(cut[:i])) >= n*2/3 {
		cut = cut[:i]
	}
	return strings.TrimRightFunc(cut, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}) + "…"
}

// oneLine collapses whitespace, including newlines, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
