package schedule

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Identifiers of the modal: its callback_id, and the block_ids (which are
// also where Slack shows a field's error) and action_ids of its fields.
const (
	CallbackCreate = "schedule_create"

	blockQuestion  = "question"
	blockFrequency = "frequency"
	blockWeekday   = "weekday"
	blockMonthDay  = "month_day"
	blockTime      = "time"
	blockTimeZone  = "timezone"
	blockChannel   = "channel"
	blockCondition = "condition"
	blockThreshold = "threshold"
	blockPercent   = "percent"
	blockK         = "deviations"
	blockWindow    = "window"

	actionFrequency = "schedule_frequency"
	actionCondition = "schedule_condition"
	actionValue     = "value"
)

// form is what the modal shows and what a person filled in: the view is
// built from it, and a submission or a change of a select is read into it.
type form struct {
	// Where the modal came from, carried in private_metadata.
	meta formMeta
	// Question is shown (from an answer) or typed (meta.Typed).
	Question  string
	Frequency Frequency
	Weekday   string
	MonthDay  string
	Clock     string
	TimeZone  string
	Channel   string
	Condition ConditionKind
	Threshold string
	Percent   string
	K         string
	Window    string
}

// formMeta is the modal's private_metadata: the answer it schedules (its
// query_history row, read again at submission) or a typed question.
type formMeta struct {
	HistoryID int64  `json:"h,omitempty"`
	Channel   string `json:"c,omitempty"`
	ThreadTS  string `json:"t,omitempty"`
	Typed     bool   `json:"q,omitempty"`
	// Question is the answer's question, shown again when the view is
	// rebuilt (it is not a field).
	Question string `json:"x,omitempty"`
}

// newForm is the modal's defaults: weekly on Monday at 09:00 in the
// person's time zone, posting in the current channel, always.
func newForm(meta formMeta, question, timeZone string) form {
	if timeZone == "" {
		timeZone = "UTC"
	}
	return form{
		meta: meta, Question: question, Frequency: Weekly, Weekday: strconv.Itoa(int(time.Monday)), MonthDay: "1",
		Clock: "09:00", TimeZone: timeZone, Channel: meta.Channel, Condition: Always,
		Percent: "10", K: "2", Window: "10",
	}
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func option(value, label string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(value, plain(label), nil)
}

// selectOf is a static select with the option whose value is initial
// chosen.
func selectOf(actionID, initial string, opts ...*slack.OptionBlockObject) *slack.SelectBlockElement {
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, actionID, opts...)
	for _, o := range opts {
		if o.Value == initial {
			el.InitialOption = o
		}
	}
	return el
}

func numberInput(initial string, decimal bool, minValue, maxValue string) *slack.NumberInputBlockElement {
	el := slack.NewNumberInputBlockElement(nil, actionValue, decimal)
	el.InitialValue, el.MinValue, el.MaxValue = initial, minValue, maxValue
	return el
}

func input(blockID, label string, el slack.BlockElement, hint string) *slack.InputBlock {
	var h *slack.TextBlockObject
	if hint != "" {
		h = plain(hint)
	}
	return slack.NewInputBlock(blockID, plain(label), h, el)
}

// modalView builds the modal from a form.
func modalView(f form) slack.ModalViewRequest {
	var blocks []slack.Block
	if f.meta.Typed {
		q := slack.NewPlainTextInputBlockElement(plain("What was revenue by platform last week?"), actionValue)
		q.Multiline, q.InitialValue, q.MaxLength = true, f.Question, 2000
		blocks = append(blocks, input(blockQuestion, "Question", q,
			"I answer it once now to find its SQL; every delivery then runs that SQL, with no model."))
	} else {
		blocks = append(blocks,
			slack.NewSectionBlock(mrkdwn("*"+escape(short(oneLine(f.Question), 280))+"*"), nil, nil),
			slack.NewContextBlock("", mrkdwn("Every delivery runs this answer's SQL again, with no model, and posts the result like an answer.")))
	}

	freq := input(blockFrequency, "How often", selectOf(actionFrequency, string(f.Frequency),
		option(string(Daily), "Every day"), option(string(Weekdays), "Every weekday (Mon–Fri)"),
		option(string(Weekly), "Every week"), option(string(Monthly), "Every month")), "")
	freq.DispatchAction = true
	blocks = append(blocks, freq)
	switch f.Frequency {
	case Weekly:
		var days []*slack.OptionBlockObject
		for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
			days = append(days, option(strconv.Itoa(int(d)), d.String()))
		}
		blocks = append(blocks, input(blockWeekday, "On", selectOf(actionValue, f.Weekday, days...), ""))
	case Monthly:
		blocks = append(blocks, input(blockMonthDay, "On day", numberInput(f.MonthDay, false, "1", "28"),
			"1 to 28, so that every month has it"))
	}

	clock := slack.NewTimePickerBlockElement(actionValue)
	clock.InitialTime = f.Clock
	tz := slack.NewPlainTextInputBlockElement(nil, actionValue)
	tz.InitialValue, tz.MaxLength = f.TimeZone, 64
	channel := &slack.SelectBlockElement{
		Type: slack.OptTypeConversations, ActionID: actionValue, InitialConversation: f.Channel,
		DefaultToCurrentConversation: f.Channel == "",
		Filter:                       &slack.SelectBlockElementFilter{Include: []string{"public", "private"}, ExcludeBotUsers: true},
	}
	cond := input(blockCondition, "Post", selectOf(actionCondition, string(f.Condition),
		option(string(Always), "Every time"),
		option(string(Above), "Only when the first number is above…"),
		option(string(Below), "Only when the first number is below…"),
		option(string(Change), "Only when it changed by more than N%"),
		option(string(Outlier), "Only when it is unusual (mean ± k·σ)")), "")
	cond.DispatchAction = true
	blocks = append(blocks,
		input(blockTime, "At", clock, ""),
		input(blockTimeZone, "Time zone", tz, "A name such as Europe/Berlin or America/New_York"),
		input(blockChannel, "Post in", channel, ""),
		cond)
	switch f.Condition {
	case Above, Below:
		blocks = append(blocks, input(blockThreshold, "Threshold", numberInput(f.Threshold, true, "", ""),
			"Compared with the first number of the result"))
	case Change:
		blocks = append(blocks, input(blockPercent, "By more than (%)", numberInput(f.Percent, true, "0", ""),
			"Since the last delivery that was posted"))
	case Outlier:
		blocks = append(blocks,
			input(blockK, "Standard deviations (k)", numberInput(f.K, true, "0", ""), ""),
			input(blockWindow, "Compared with the last M deliveries", numberInput(f.Window, false, "3", "100"), ""))
	}
	meta, _ := json.Marshal(f.meta)
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: CallbackCreate, PrivateMetadata: string(meta),
		Title: plain("Schedule"), Submit: plain("Schedule"), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

// readForm reads a view's state into a form; fields the view does not
// show keep their defaults.
func readForm(v slack.View) form {
	var meta formMeta
	_ = json.Unmarshal([]byte(v.PrivateMetadata), &meta)
	f := newForm(meta, meta.Question, "")
	f.Channel = ""
	if v.State == nil {
		return f
	}
	get := func(block string) (slack.BlockAction, bool) {
		for _, a := range v.State.Values[block] {
			return a, true
		}
		return slack.BlockAction{}, false
	}
	if a, ok := get(blockQuestion); ok {
		f.Question = a.Value
	}
	if a, ok := get(blockFrequency); ok && a.SelectedOption.Value != "" {
		f.Frequency = Frequency(a.SelectedOption.Value)
	}
	if a, ok := get(blockWeekday); ok {
		f.Weekday = a.SelectedOption.Value
	}
	if a, ok := get(blockMonthDay); ok {
		f.MonthDay = a.Value
	}
	if a, ok := get(blockTime); ok {
		f.Clock = a.SelectedTime
	}
	if a, ok := get(blockTimeZone); ok {
		f.TimeZone = strings.TrimSpace(a.Value)
	}
	if a, ok := get(blockChannel); ok {
		f.Channel = a.SelectedConversation
	}
	if a, ok := get(blockCondition); ok && a.SelectedOption.Value != "" {
		f.Condition = ConditionKind(a.SelectedOption.Value)
	}
	for block, dst := range map[string]*string{blockThreshold: &f.Threshold, blockPercent: &f.Percent, blockK: &f.K, blockWindow: &f.Window} {
		if a, ok := get(block); ok {
			*dst = a.Value
		}
	}
	return f
}

// draft validates a form; errs maps block_ids to what is wrong there, in
// the form Slack shows next to the fields.
func (f form) draft() (d Draft, errs map[string]string) {
	errs = map[string]string{}
	d.Question = strings.TrimSpace(f.Question)
	if f.meta.Typed && d.Question == "" {
		errs[blockQuestion] = "Type the question to schedule."
	}
	d.Cadence = Cadence{Frequency: f.Frequency, TimeZone: f.TimeZone}
	switch f.Frequency {
	case Weekly:
		day, err := strconv.Atoi(f.Weekday)
		if err != nil || day < 0 || day > 6 {
			errs[blockWeekday] = sentence(ErrWeekday)
		}
		d.Cadence.Day = day
	case Monthly:
		day, err := strconv.Atoi(strings.TrimSpace(f.MonthDay))
		if err != nil || day < 1 || day > 28 {
			errs[blockMonthDay] = sentence(ErrMonthDay)
		}
		d.Cadence.Day = day
	case Daily, Weekdays:
	default:
		errs[blockFrequency] = sentence(ErrFrequency)
	}
	if h, m, ok := parseHHMM(f.Clock); ok {
		d.Cadence.Hour, d.Cadence.Minute = h, m
	} else {
		errs[blockTime] = sentence(ErrTimeOfDay)
	}
	if _, err := time.LoadLocation(f.TimeZone); err != nil || f.TimeZone == "" || f.TimeZone == "Local" {
		errs[blockTimeZone] = sentence(ErrTimeZone)
	}
	d.ChannelID = f.Channel
	if d.ChannelID == "" {
		errs[blockChannel] = "Choose the channel to post in."
	}
	d.Condition = Condition{Kind: f.Condition}
	num := func(block, s string, bad error) float64 {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			errs[block] = sentence(bad)
		}
		return v
	}
	switch f.Condition {
	case Always:
	case Above, Below:
		d.Condition.Threshold = num(blockThreshold, f.Threshold, ErrThreshold)
	case Change:
		d.Condition.Threshold = num(blockPercent, f.Percent, ErrPercent)
		if _, bad := errs[blockPercent]; !bad && d.Condition.Validate() != nil {
			errs[blockPercent] = sentence(ErrPercent)
		}
	case Outlier:
		d.Condition.Threshold = num(blockK, f.K, ErrDeviations)
		w, err := strconv.Atoi(strings.TrimSpace(f.Window))
		d.Condition.Window = w
		if err != nil || w < 3 || w > 100 {
			errs[blockWindow] = sentence(ErrWindow)
		} else if _, bad := errs[blockK]; !bad && d.Condition.Validate() != nil {
			errs[blockK] = sentence(ErrDeviations)
		}
	default:
		errs[blockCondition] = sentence(ErrConditionKind)
	}
	return d, errs
}

func parseHHMM(s string) (int, int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// sentence is an error as a sentence for a person: "Choose a time of day."
func sentence(err error) string {
	s := err.Error()
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// noticeView is a modal that only tells something: a confirmation, or why
// nothing can be scheduled.
func noticeView(title, text string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain(title), Close: plain("Done"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mrkdwn(short(text, 2900)), nil, nil)}},
	}
}
