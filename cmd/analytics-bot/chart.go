package main

import (
	"io"

	"github.com/analytics-bot/analytics-bot/agent"
)

// writeChart writes the answer's chart to a PNG file (charts land with
// their own issue).
func writeChart(path string, ans *agent.Answer, question string, log io.Writer) error {
	return nil
}
