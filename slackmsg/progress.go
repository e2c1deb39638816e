package slackmsg

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/chart"
)

// Task ids of the steps that are not tool calls.
const (
	taskQuestion = "question"
	taskChart    = "chart"
	taskRetry    = "retry"
)

// Limits on a task card's texts, well under what Slack shows.
const (
	maxTaskTitleRunes  = 80
	maxTaskDetailRunes = 300
)

// LoadingMessages are what Slack rotates in a thread's status where a
// stream cannot be used. slack-go joins them with commas, so none may
// hold one.
func LoadingMessages() []string {
	return []string{"Reading the schema…", "Writing SQL…", "Running the query…", "Checking the numbers…"}
}

// StreamStart is the first content of an answer's stream: a plan titled
// with the question and its first task under way.
func StreamStart(question string) []slack.StreamChunk {
	title := "Looking into it"
	if q := cut(escape(oneLine(question)), 60); q != "" {
		title = "Looking into “" + q + "”"
	}
	task := slack.NewTaskUpdateChunk(taskQuestion, "Reading the question and the schema")
	task.Status = slack.TaskCardStatusInProgress
	return []slack.StreamChunk{slack.NewPlanUpdateChunk(title), task}
}

// QuestionRead marks the first task of StreamStart complete.
func QuestionRead() slack.StreamChunk {
	task := slack.NewTaskUpdateChunk(taskQuestion, "Reading the question and the schema")
	task.Status = slack.TaskCardStatusComplete
	return task
}

// Retrying is the task a retried job adds to the stream it finds.
func Retrying() slack.StreamChunk {
	task := slack.NewTaskUpdateChunk(taskRetry, "Interrupted: starting again")
	task.Status = slack.TaskCardStatusComplete
	return task
}

// StepTask is a tool call as a task card: "Running SQL" with the query's
// first line while it runs, then its row count and time, or its error
// (which the model may then fix in the next step).
func StepTask(s agent.Step) slack.TaskUpdateChunk {
	task := slack.NewTaskUpdateChunk(taskID(s.ID), stepTitle(s.Name))
	switch {
	case !s.Done:
		task.Status = slack.TaskCardStatusInProgress
		task.Details = stepDetails(s)
	case s.IsError:
		task.Status = slack.TaskCardStatusError
		task.Output = cut(escape(oneLine("Error: "+s.Summary)), maxTaskDetailRunes)
	default:
		task.Status = slack.TaskCardStatusComplete
		task.Output = cut(escape(oneLine(s.Summary)), maxTaskDetailRunes)
	}
	return task
}

// taskID keeps a tool call id within what a task id may hold.
func taskID(id string) string {
	id = Plain(strings.TrimSpace(id))
	if id == "" {
		return "step"
	}
	return "tool_" + cut(id, 60)
}

func stepTitle(tool string) string {
	switch tool {
	case "run_readonly_sql":
		return "Running SQL"
	case "describe_schema":
		return "Reading the schema"
	case "fetch_history":
		return "Reading earlier answers"
	case "export_csv":
		return "Exporting CSV"
	}
	return cut("Using "+escape(oneLine(tool)), maxTaskTitleRunes)
}

// stepDetails is what a running step works on: the SQL's first line, or
// the table being described.
func stepDetails(s agent.Step) string {
	var args struct {
		SQL   string `json:"sql"`
		Table string `json:"table"`
	}
	if json.Unmarshal([]byte(s.Arguments), &args) != nil {
		return ""
	}
	switch {
	case strings.TrimSpace(args.SQL) != "":
		return cut(escape(oneLine(args.SQL)), maxTaskDetailRunes)
	case args.Table != "":
		return cut(escape(oneLine(args.Table)), maxTaskDetailRunes)
	}
	return ""
}

// ChartTask reports the answer's chart: native, averaged, or a picture
// that follows the answer. ok is false when the answer has no chart.
func ChartTask(m AnswerMessage) (task slack.StreamChunk, ok bool) {
	t := slack.NewTaskUpdateChunk(taskChart, "Drawing the chart")
	t.Status = slack.TaskCardStatusComplete
	for _, b := range m.Tail {
		if v, isChart := b.(*slack.DataVisualizationBlock); isChart {
			t.Output = cut(escape(v.Title), maxTaskDetailRunes)
			return t, true
		}
	}
	if m.Picture != "" && m.Picture != chart.None {
		t.Output = fmt.Sprintf("a %s chart, uploaded below as a picture", m.Picture)
		return t, true
	}
	return nil, false
}
