package eval

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Print writes the human-readable report: one run as a table and a
// summary, several runs side by side with their differences from the
// first.
func Print(w io.Writer, runs ...*Report) error {
	if len(runs) == 0 {
		return nil
	}
	var b strings.Builder
	if len(runs) == 1 {
		printRun(&b, runs[0])
	} else {
		printSideBySide(&b, runs)
	}
	// tabwriter pads the cells before an empty last one; drop that.
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	if _, err := io.WriteString(w, strings.Join(lines, "\n")); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func printRun(w io.Writer, r *Report) {
	fmt.Fprintf(w, "Golden questions: %s (%d) · prompts: %s · model: %s\n\n", r.Source, len(r.Results), r.Label, r.Model)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRESULT\tTURNS\tTOKENS\tCOST\tLATENCY\tREASON")
	for _, q := range r.Results {
		result, reason := "pass", ""
		if !q.Pass {
			result, reason = "FAIL", string(q.Reason)
			if q.Detail != "" {
				reason += ": " + oneLine(q.Detail)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", q.ID, result, q.Turns, thousands(float64(q.Usage.Total())),
			dollars(q.CostUSD), duration(q.Latency()), reason)
	}
	tw.Flush()

	s := r.Summary
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Accuracy\t%s\n", score(s.Passed, s.Questions))
	for _, t := range s.ByTag {
		fmt.Fprintf(tw, "  %s\t%s\n", t.Tag, score(t.Passed, t.Questions))
	}
	if len(s.Failures) > 0 {
		fmt.Fprintf(tw, "Failures\t%s\n", failures(s.Failures))
	}
	fmt.Fprintf(tw, "Latency\tmedian %s · p95 %s\n", duration(s.LatencyMedian()), duration(s.LatencyP95()))
	fmt.Fprintf(tw, "Per question\t%.1f turns · %s tokens (%s in, %s out) · %s\n", s.TurnsPerQuestion,
		thousands(s.TokensPerQuestion), thousands(s.InputTokensPerQuestion), thousands(s.OutputTokensPerQuestion),
		dollars(s.CostPerQuestionUSD))
	if k := s.Knowledge; k != nil {
		fmt.Fprintf(tw, "Knowledge\t%s\n", knowledgeLine(k))
	}
	fmt.Fprintf(tw, "Total\t%s in %s\n", dollars(s.CostUSD), duration(fromMS(r.DurationMS)))
	tw.Flush()
}

// knowledgeLine is a run's retrieval recall and knowledge cost.
func knowledgeLine(k *Retrieval) string {
	return fmt.Sprintf("recall@%d %s · %s tokens added per question · %d answers from verified queries (%d with no model call)",
		RecallAt, score(k.Hits, k.Marked), thousands(k.TokensPerQuestion), k.VerifiedAnswers, k.NoModelAnswers)
}

func printSideBySide(w io.Writer, runs []*Report) {
	first := runs[0]
	fmt.Fprintf(w, "Golden questions: %s (%d) · model: %s\n", first.Source, len(first.Results), first.Model)
	for i, r := range runs {
		fmt.Fprintf(w, "  %s = %s", letter(i), r.Label)
		if r.Model != first.Model {
			fmt.Fprintf(w, " (model %s)", r.Model)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)

	diffs := make([]Diff, 0, len(runs)-1)
	for _, r := range runs[1:] {
		diffs = append(diffs, Compare(first, r))
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := []string{"ID"}
	for i := range runs {
		header = append(header, letter(i))
	}
	fmt.Fprintln(tw, strings.Join(append(header, "CHANGE"), "\t"))
	byID := make([]map[string]Result, len(runs))
	for i, r := range runs {
		byID[i] = make(map[string]Result, len(r.Results))
		for _, q := range r.Results {
			byID[i][q.ID] = q
		}
	}
	for _, q := range first.Results {
		cells := []string{q.ID}
		var change []string
		for i := range runs {
			other, ok := byID[i][q.ID]
			if !ok {
				cells = append(cells, "-")
				continue
			}
			cells = append(cells, string(other.Reason))
			switch {
			case i == 0 || other.Pass == q.Pass:
			case other.Pass:
				change = append(change, letter(i)+" fixed")
			default:
				change = append(change, letter(i)+" broke")
			}
		}
		fmt.Fprintln(tw, strings.Join(append(cells, strings.Join(change, ", ")), "\t"))
	}
	tw.Flush()

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header = []string{""}
	for i := range runs {
		header = append(header, letter(i))
	}
	for i := range diffs {
		header = append(header, letter(i+1)+" - A")
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	row := func(name string, cell func(s Summary) string, delta func(d Diff) string) {
		cells := []string{name}
		for _, r := range runs {
			cells = append(cells, cell(r.Summary))
		}
		for _, d := range diffs {
			cells = append(cells, delta(d))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("accuracy", func(s Summary) string { return score(s.Passed, s.Questions) },
		func(d Diff) string { return points(d.AccuracyDelta) })
	for _, tag := range Tags {
		var scores []TagScore
		for _, r := range runs {
			scores = append(scores, tagScore(r.Summary, tag))
		}
		if scores[0].Questions == 0 {
			continue
		}
		cells := []string{"  " + tag}
		for _, t := range scores {
			cells = append(cells, score(t.Passed, t.Questions))
		}
		for _, t := range scores[1:] {
			cells = append(cells, points(t.Accuracy-scores[0].Accuracy))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("latency median", func(s Summary) string { return duration(s.LatencyMedian()) },
		func(d Diff) string { return signedDuration(fromMS(d.LatencyMedianDeltaMS)) })
	row("latency p95", func(s Summary) string { return duration(s.LatencyP95()) },
		func(d Diff) string { return signedDuration(fromMS(d.LatencyP95DeltaMS)) })
	row("turns/question", func(s Summary) string { return fmt.Sprintf("%.1f", s.TurnsPerQuestion) },
		func(d Diff) string {
			return signed(d.TurnsPerQuestionDelta, func(v float64) string { return fmt.Sprintf("%.1f", v) })
		})
	row("tokens/question", func(s Summary) string { return thousands(s.TokensPerQuestion) },
		func(d Diff) string { return signed(d.TokensPerQuestionDelta, thousands) })
	row("cost/question", func(s Summary) string { return dollars(s.CostPerQuestionUSD) },
		func(d Diff) string { return signed(d.CostPerQuestionDelta, dollars) })
	row("total cost", func(s Summary) string { return dollars(s.CostUSD) }, func(Diff) string { return "" })
	measured := false
	for _, r := range runs {
		measured = measured || r.Summary.Knowledge != nil
	}
	if measured {
		knowledgeRows(row)
	}
	tw.Flush()

	fmt.Fprintln(w)
	for i, d := range diffs {
		fmt.Fprintf(w, "%s vs A: accuracy %s · %d fixed%s · %d broken%s\n", letter(i+1), points(d.AccuracyDelta),
			len(d.Fixed), flipList(d.Fixed), len(d.Broken), flipList(d.Broken))
	}
}

// knowledgeRows adds the team knowledge's recall and tokens to the side
// by side table; a run without knowledge shows "-".
func knowledgeRows(row func(name string, cell func(s Summary) string, delta func(d Diff) string)) {
	none := func(Diff) string { return "" }
	row("recall@3", func(s Summary) string {
		if s.Knowledge == nil {
			return "-"
		}
		return score(s.Knowledge.Hits, s.Knowledge.Marked)
	}, none)
	row("knowledge tokens", func(s Summary) string {
		if s.Knowledge == nil {
			return "-"
		}
		return thousands(s.Knowledge.TokensPerQuestion)
	}, none)
	row("no model call", func(s Summary) string {
		if s.Knowledge == nil {
			return "-"
		}
		return fmt.Sprint(s.Knowledge.NoModelAnswers)
	}, none)
}

func tagScore(s Summary, tag string) TagScore {
	for _, t := range s.ByTag {
		if t.Tag == tag {
			return t
		}
	}
	return TagScore{Tag: tag}
}

// letter names the i-th run: A, B, C…
func letter(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return "R" + strconv.Itoa(i+1)
}

func flipList(flips []Flip) string {
	if len(flips) == 0 {
		return ""
	}
	parts := make([]string, len(flips))
	for i, f := range flips {
		parts[i] = fmt.Sprintf("%s (%s → %s)", f.ID, f.From, f.To)
	}
	return ": " + strings.Join(parts, ", ")
}

func failures(byReason map[Reason]int) string {
	var parts []string
	for _, r := range []Reason{ReasonWrongRows, ReasonMissingRows, ReasonExtraRows, ReasonWrongOrder, ReasonSQLError,
		ReasonNoSQL, ReasonModelError, ReasonWrongOutcome, ReasonReferenceError} {
		if n := byReason[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", r, n))
		}
	}
	return strings.Join(parts, " · ")
}

func score(passed, total int) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d (%.1f%%)", passed, total, 100*float64(passed)/float64(total))
}

// points renders an accuracy difference in percentage points.
func points(delta float64) string {
	if math.Abs(delta) < 1e-9 {
		return "±0 pts"
	}
	return fmt.Sprintf("%+.1f pts", 100*delta)
}

func dollars(v float64) string { return fmt.Sprintf("$%.4f", v) }

func signed(v float64, format func(float64) string) string {
	switch {
	case v > 0:
		return "+" + format(v)
	case v < 0:
		return "-" + format(-v)
	default:
		return "±0"
	}
}

func signedDuration(d time.Duration) string {
	return signed(float64(d), func(v float64) string { return duration(time.Duration(v)) })
}

// duration rounds for people: milliseconds under a second, else 10 ms.
func duration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

// thousands renders a count rounded to a whole number with separators.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
