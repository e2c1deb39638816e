package slackmsg

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Slack's published limits that the checks below enforce.
const (
	maxBlocksPerMessage  = 50
	maxChartsPerMessage  = 2
	maxSectionTextRunes  = 3_000
	maxContextElements   = 10
	maxActionsElements   = 25
	maxButtonTextRunes   = 75
	maxButtonValueRunes  = 2_000
	maxLegacyTableRows   = 100
	maxLegacyTableCells  = 20
	maxBlockIDRunes      = 255
	maxDataTablePageSize = 100
)

// ErrInvalidBlocks is what Check returns for blocks Slack would refuse.
var ErrInvalidBlocks = errors.New("invalid blocks")

// Check reports, before anything is sent, whether Slack would accept
// blocks as one message: each block within its kind's limits, at most 50
// blocks, at most two charts and at most 10,000 characters in all
// data_table cells.
func Check(blocks []slack.Block) error {
	if len(blocks) > maxBlocksPerMessage {
		return fmt.Errorf("%w: %d blocks, at most %d", ErrInvalidBlocks, len(blocks), maxBlocksPerMessage)
	}
	charts, cells := 0, 0
	for i, b := range blocks {
		if err := CheckBlock(b); err != nil {
			return fmt.Errorf("block %d: %w", i, err)
		}
		switch b := b.(type) {
		case *slack.DataVisualizationBlock:
			charts++
		case *slack.DataTableBlock:
			cells += dataTableChars(b)
		}
	}
	if charts > maxChartsPerMessage {
		return fmt.Errorf("%w: %d charts, at most %d", ErrInvalidBlocks, charts, maxChartsPerMessage)
	}
	if cells > dataTableMaxChars {
		return fmt.Errorf("%w: %d characters in table cells, at most %d", ErrInvalidBlocks, cells, dataTableMaxChars)
	}
	return nil
}

// CheckBlock checks one block against the limits of its kind, with
// slack-go's Validate where it has one.
func CheckBlock(b slack.Block) error {
	var err error
	switch b := b.(type) {
	case *slack.SectionBlock:
		err = checkSection(b)
	case *slack.ContextBlock:
		err = checkContext(b)
	case *slack.ActionBlock:
		err = checkActions(b)
	case *slack.ContextActionsBlock:
		err = checkContextActions(b)
	case *slack.TableBlock:
		err = checkLegacyTable(b)
	case *slack.DataTableBlock:
		err = checkDataTable(b)
	case *slack.DataVisualizationBlock:
		err = b.Validate()
	default:
		err = fmt.Errorf("block kind %q is not one the bot posts", b.BlockType())
	}
	if err == nil && runes(b.ID()) > maxBlockIDRunes {
		err = fmt.Errorf("block_id longer than %d characters", maxBlockIDRunes)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidBlocks, b.BlockType(), err)
	}
	return nil
}

func runes(s string) int { return utf8.RuneCountInString(s) }

func checkText(t *slack.TextBlockObject, limit int) error {
	if t == nil || t.Text == "" {
		return errors.New("empty text")
	}
	if runes(t.Text) > limit {
		return fmt.Errorf("text of %d characters, at most %d", runes(t.Text), limit)
	}
	return nil
}

func checkSection(b *slack.SectionBlock) error {
	if b.Text == nil && len(b.Fields) == 0 {
		return errors.New("a section needs text or fields")
	}
	if b.Text != nil {
		return checkText(b.Text, maxSectionTextRunes)
	}
	return nil
}

func checkContext(b *slack.ContextBlock) error {
	n := len(b.ContextElements.Elements)
	if n == 0 || n > maxContextElements {
		return fmt.Errorf("%d elements, 1 to %d", n, maxContextElements)
	}
	for _, e := range b.ContextElements.Elements {
		if t, ok := e.(*slack.TextBlockObject); ok {
			if err := checkText(t, maxSectionTextRunes); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkActions(b *slack.ActionBlock) error {
	if b.Elements == nil || len(b.Elements.ElementSet) == 0 || len(b.Elements.ElementSet) > maxActionsElements {
		return fmt.Errorf("1 to %d elements", maxActionsElements)
	}
	for _, e := range b.Elements.ElementSet {
		if btn, ok := e.(*slack.ButtonBlockElement); ok {
			if err := checkText(btn.Text, maxButtonTextRunes); err != nil {
				return fmt.Errorf("button: %w", err)
			}
			if runes(btn.Value) > maxButtonValueRunes {
				return fmt.Errorf("button value longer than %d characters", maxButtonValueRunes)
			}
		}
	}
	return nil
}

func checkContextActions(b *slack.ContextActionsBlock) error {
	if b.Elements == nil || len(b.Elements.ElementSet) == 0 || len(b.Elements.ElementSet) > 5 {
		return errors.New("1 to 5 elements")
	}
	for _, e := range b.Elements.ElementSet {
		fb, ok := e.(*slack.FeedbackButtonsBlockElement)
		if !ok {
			continue
		}
		for _, btn := range []*slack.FeedbackButton{fb.PositiveButton, fb.NegativeButton} {
			if btn == nil {
				return errors.New("feedback_buttons needs a positive and a negative button")
			}
			if err := checkText(btn.Text, maxButtonTextRunes); err != nil {
				return fmt.Errorf("feedback button: %w", err)
			}
			if btn.Value == "" || runes(btn.Value) > maxButtonValueRunes {
				return fmt.Errorf("feedback button value of 1 to %d characters", maxButtonValueRunes)
			}
		}
	}
	return nil
}

func checkLegacyTable(b *slack.TableBlock) error {
	if len(b.Rows) == 0 || len(b.Rows) > maxLegacyTableRows {
		return fmt.Errorf("%d rows, 1 to %d", len(b.Rows), maxLegacyTableRows)
	}
	for _, row := range b.Rows {
		if len(row) == 0 || len(row) > maxLegacyTableCells {
			return fmt.Errorf("a row of %d cells, 1 to %d", len(row), maxLegacyTableCells)
		}
	}
	return nil
}

func checkDataTable(b *slack.DataTableBlock) error {
	switch {
	case b.Caption == "":
		return errors.New("a caption is required")
	case len(b.Rows) < 2 || len(b.Rows) > dataTableMaxRows+1:
		return fmt.Errorf("%d rows with the header, 2 to %d", len(b.Rows), dataTableMaxRows+1)
	case b.PageSize < 0 || b.PageSize > maxDataTablePageSize:
		return fmt.Errorf("page_size %d, 1 to %d", b.PageSize, maxDataTablePageSize)
	}
	width := len(b.Rows[0])
	if width == 0 || width > dataTableMaxCols {
		return fmt.Errorf("%d columns, 1 to %d", width, dataTableMaxCols)
	}
	for i, row := range b.Rows {
		if len(row) != width {
			return fmt.Errorf("row %d has %d cells, the header %d", i, len(row), width)
		}
		for _, c := range row {
			switch c := c.(type) {
			case *slack.DataTableRawTextCell:
				if c.Text == "" {
					return fmt.Errorf("row %d: an empty raw_text cell", i)
				}
			case *slack.DataTableRawNumberCell:
				if i == 0 {
					return errors.New("the header holds raw_text cells only")
				}
			default:
				if i == 0 {
					return errors.New("the header holds raw_text cells only")
				}
			}
		}
	}
	if n := dataTableChars(b); n > dataTableMaxChars {
		return fmt.Errorf("%d characters in cells, at most %d", n, dataTableMaxChars)
	}
	return nil
}

// dataTableChars counts the characters of a data_table's cells as Slack
// does: the text shown.
func dataTableChars(b *slack.DataTableBlock) int {
	n := 0
	for _, row := range b.Rows {
		for _, c := range row {
			switch c := c.(type) {
			case *slack.DataTableRawTextCell:
				n += runes(c.Text)
			case *slack.DataTableRawNumberCell:
				if c.Text != "" {
					n += runes(c.Text)
				} else {
					n += len(fmt.Sprint(c.Value))
				}
			}
		}
	}
	return n
}
