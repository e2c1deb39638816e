package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/chart"
)

// writeChart writes the answer's chart to a PNG file when the result is a
// trend or a comparison; otherwise it says why there is none.
func writeChart(path string, ans *agent.Answer, question string, log io.Writer) error {
	kind := chart.Choose(ans.Result, ans.Chart)
	if kind == chart.None {
		fmt.Fprintln(log, "no chart: the result is not a trend or a comparison")
		return nil
	}
	png, err := chart.Render(ans.Result, kind, question)
	if errors.Is(err, chart.ErrUnfit) {
		fmt.Fprintf(log, "no chart: %v\n", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("render chart: %w", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	fmt.Fprintf(log, "wrote %s (%s chart)\n", path, kind)
	return nil
}
