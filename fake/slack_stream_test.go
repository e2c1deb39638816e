package fake_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func slackError(err error) string {
	var e slack.SlackErrorResponse
	if errors.As(err, &e) {
		return e.Err
	}
	return ""
}

func TestSlackStreamGrowsAndEnds(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	ctx := context.Background()
	task := slack.NewTaskUpdateChunk("sql", "Running SQL")
	task.Status = slack.TaskCardStatusInProgress
	_, ts, err := api.StartStreamContext(ctx, "C1", slack.MsgOptionTS("1.0"),
		slack.MsgOptionRecipientUserID("U1"), slack.MsgOptionRecipientTeamID("T1"),
		slack.MsgOptionTaskDisplayMode(slack.TaskDisplayModePlan), slack.MsgOptionChunks(task))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	task.Status, task.Output = slack.TaskCardStatusComplete, "14 rows"
	if _, _, err := api.AppendStreamContext(ctx, "C1", ts, slack.MsgOptionChunks(task, slack.NewMarkdownTextChunk("DAU **grew**."))); err != nil {
		t.Fatalf("append: %v", err)
	}
	section := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "footer", false, false), nil, nil)
	if _, _, err := api.StopStreamContext(ctx, "C1", ts, slack.MsgOptionBlocks(section)); err != nil {
		t.Fatalf("stop: %v", err)
	}
	m, _ := s.Message("C1", ts)
	if m.Streaming || !m.Stream || m.Text != "DAU **grew**." || !strings.Contains(string(m.Blocks), "footer") {
		t.Errorf("message = %+v", m)
	}
	if len(m.Tasks) != 1 || m.Tasks[0].Status != "complete" || len(m.TaskUpdates) != 2 {
		t.Errorf("tasks = %+v, updates %+v", m.Tasks, m.TaskUpdates)
	}
	if _, _, err := api.AppendStreamContext(ctx, "C1", ts, slack.MsgOptionMarkdownText("more")); slackError(err) != "message_not_in_streaming_state" {
		t.Errorf("append after stop: %v", err)
	}
	if _, _, err := api.StopStreamContext(ctx, "C1", ts); slackError(err) != "message_not_in_streaming_state" {
		t.Errorf("stop after stop: %v", err)
	}
}

func TestSlackStreamRules(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	ctx := context.Background()
	if _, _, err := api.StartStreamContext(ctx, "C1", slack.MsgOptionTS("1.0")); slackError(err) != "invalid_arguments" {
		t.Errorf("a channel stream without recipient: %v", err)
	}
	bad := slack.NewTaskUpdateChunk("", "no id")
	if _, _, err := api.StartStreamContext(ctx, "D1", slack.MsgOptionTS("1.0"), slack.MsgOptionChunks(bad)); slackError(err) != "invalid_chunks" {
		t.Errorf("a task without id: %v", err)
	}
	s.RefuseStreams("method_not_supported_for_channel_type")
	if _, _, err := api.StartStreamContext(ctx, "D1", slack.MsgOptionTS("1.0")); slackError(err) != "method_not_supported_for_channel_type" {
		t.Errorf("refused stream: %v", err)
	}
	s.RefuseStreams("")
	_, ts, err := api.StartStreamContext(ctx, "D1", slack.MsgOptionTS("1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "D1", ts, slack.MsgOptionText("x", false)); err == nil {
		t.Error("chat.update changed a message still streaming")
	}
	table := slack.NewDataTableBlock("") // no caption
	table.AddRow(slack.NewDataTableRawTextCell("a")).AddRow(slack.NewDataTableRawTextCell("b"))
	if _, _, err := api.StopStreamContext(ctx, "D1", ts, slack.MsgOptionBlocks(table)); slackError(err) != "invalid_blocks" {
		t.Errorf("stop with an invalid data_table: %v", err)
	}
	if m, _ := s.Message("D1", ts); !m.Streaming {
		t.Error("a refused stop ended the stream")
	}
}

func TestSlackRefusesBlocksOverSlacksLimits(t *testing.T) {
	t.Parallel()
	_, api := setupSlack(t)
	ctx := context.Background()
	long := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("x", 3001), false, false), nil, nil)
	cells := slack.NewDataTableBlock("c")
	cells.AddRow(slack.NewDataTableRawTextCell("h"))
	for range 100 {
		cells.AddRow(slack.NewDataTableRawTextCell(strings.Repeat("y", 101)))
	}
	numberHeader := slack.NewDataTableBlock("c")
	numberHeader.AddRow(slack.NewDataTableRawNumberCell(1)).AddRow(slack.NewDataTableRawNumberCell(2))
	axis := slack.NewDataVisualizationAxisConfig("a", "b")
	mismatch := slack.NewDataVisualizationBlock("t", slack.NewDataVisualizationLineChart(axis,
		slack.NewDataVisualizationDataSeries("s", slack.NewDataVisualizationDataPoint("a", 1))))
	var tooMany []string
	for i := range 21 {
		tooMany = append(tooMany, strings.Repeat("c", i+1))
	}
	wide := slack.NewDataVisualizationBlock("t", slack.NewDataVisualizationBarChart(slack.NewDataVisualizationAxisConfig(tooMany...),
		slack.NewDataVisualizationDataSeries("s")))
	noNegative := slack.NewContextActionsBlock("", &slack.FeedbackButtonsBlockElement{Type: slack.METFeedbackButtons,
		PositiveButton: slack.NewFeedbackButton(slack.NewTextBlockObject(slack.PlainTextType, "👍", true, false), "up")})
	for name, b := range map[string]slack.Block{
		"section over 3,000": long, "10,100 cell characters": cells, "number in the header": numberHeader,
		"points ≠ categories": mismatch, "21 categories": wide, "feedback without 👎": noNegative,
	} {
		if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(b)); slackError(err) != "invalid_blocks" {
			t.Errorf("%s: %v, want invalid_blocks", name, err)
		}
	}
}

func TestSlackAssistantThreadMethods(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	ctx := context.Background()
	p := slack.AssistantThreadsSetSuggestedPromptsParameters{ChannelID: "D1", ThreadTS: "1.0"}
	for range 5 {
		p.AddPrompt("t", "m")
	}
	if err := api.SetAssistantThreadsSuggestedPromptsContext(ctx, p); slackError(err) != "invalid_arguments" {
		t.Errorf("five prompts: %v", err)
	}
	p.Prompts = p.Prompts[:4]
	if err := api.SetAssistantThreadsSuggestedPromptsContext(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := api.SetAssistantThreadsTitleContext(ctx, slack.AssistantThreadsSetTitleParameters{ChannelID: "D1", ThreadTS: "1.0", Title: "DAU"}); err != nil {
		t.Fatal(err)
	}
	if got := s.SuggestedPromptsSet(); len(got) != 1 || len(got[0].Prompts) != 4 {
		t.Errorf("prompts = %+v", got)
	}
	if got := s.Titles(); len(got) != 1 || got[0].Title != "DAU" {
		t.Errorf("titles = %+v", got)
	}
}
