package chart

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// out is where -out writes every rendered chart, for a person to look at
// after changing the style: go test ./chart -run Render -out /tmp/charts
var out = flag.String("out", "", "write rendered charts as PNG files to this directory")

func TestRender(t *testing.T) {
	t.Parallel()
	truncated := daily(90, "revenue")
	truncated.Truncated = true
	gaps := long(30, "ios", "android")
	for i := range gaps.Rows {
		if i%5 == 0 {
			gaps.Rows[i][2] = nil
		}
	}
	negative := result([]string{"team", "text", "net_change", "int8"},
		[]any{"growth", int64(1200)}, []any{"core", int64(-300)}, []any{"platform", int64(450)}, []any{"ads", nil})

	tests := []struct {
		name  string
		res   *readonly.Result
		kind  Kind
		title string
	}{
		{"line365", daily(365, "dau"), Line, "Daily active users, last 365 days"},
		{"line_wide", daily(30, "dau", "wau"), Line, ""},
		{"line_long", long(60, "ios", "android", "web"), Line, "DAU by platform"},
		{"line_long_with_nils", gaps, Line, "DAU by platform, some days missing"},
		{"line_truncated_money", truncated, Line, "Revenue"},
		{"bar", categories(12), Bar, "Revenue by country, last quarter, with a deliberately long title that goes on and on"},
		{"bar25", categories(25), Bar, "Revenue by country"},
		{"bar_dates", daily(7, "signups"), Bar, "Signups last week"},
		{"bar_negative", negative, Bar, "Net change by team"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := Render(tt.res, tt.kind, tt.title)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if *out != "" {
				if err := os.WriteFile(filepath.Join(*out, tt.name+".png"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("the output is not a PNG: %v", err)
			}
			if got := img.Bounds().Size(); got != image.Pt(widthPx, heightPx) {
				t.Errorf("size = %v, want %dx%d", got, widthPx, heightPx)
			}
			colours, ink, data := census(img)
			if colours < 50 {
				t.Errorf("the chart has %d distinct colours, want at least 50 (blank?)", colours)
			}
			if share := float64(ink) / float64(widthPx*heightPx); share < 0.02 {
				t.Errorf("only %.2f%% of the pixels are not background, want at least 2%%", 100*share)
			}
			if data < 500 {
				t.Errorf("only %d pixels have the first palette colour, want the data drawn in it", data)
			}
		})
	}
}

// census counts the distinct colours of img, the pixels that are not
// white, and the pixels in the first palette colour.
func census(img image.Image) (colours, ink, data int) {
	seen := make(map[color.RGBA]bool)
	first := palette[0].(color.RGBA)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			c := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}
			seen[c] = true
			if c != (color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}) {
				ink++
			}
			if c == first {
				data++
			}
		}
	}
	return len(seen), ink, data
}

func TestRenderRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		res   *readonly.Result
		kind  Kind
		unfit bool
	}{
		{"kind none", daily(30, "dau"), None, true},
		{"nil result", nil, Line, true},
		{"line from categories", categories(12), Line, true},
		{"bar from a long series", daily(365, "dau"), Bar, true},
		{"bar from a single row", categories(1), Bar, true},
		{"line from a single value", result([]string{"count", "int8"}, []any{int64(1)}), Line, true},
		{"unknown kind", daily(30, "dau"), Kind("pie"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := Render(tt.res, tt.kind, "title")
			if err == nil {
				t.Fatalf("Render returned %d bytes, want an error", len(b))
			}
			if got := errors.Is(err, ErrUnfit); got != tt.unfit {
				t.Errorf("errors.Is(%v, ErrUnfit) = %v, want %v", err, got, tt.unfit)
			}
		})
	}
}

func BenchmarkRenderLine365(b *testing.B) {
	res := daily(365, "dau")
	for b.Loop() {
		if _, err := Render(res, Line, "Daily active users"); err != nil {
			b.Fatal(err)
		}
	}
}
