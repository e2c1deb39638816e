package schedule

import (
	"errors"
	"time"
)

// Schedule is a question delivered to a channel on a cadence.
type Schedule struct {
	ID        int64
	CreatedAt time.Time
	TeamID    string
	// ChannelID is where deliveries are posted.
	ChannelID string
	// CreatorID is the Slack user who made it; they, and curators, may
	// change it, and they hear about its failures.
	CreatorID string
	Question  string
	// SQL is the answer's statement, frozen at creation.
	SQL string
	// HistoryID is the query_history row of the answer it came from.
	HistoryID int64
	Cadence   Cadence
	Condition Condition
	Paused    bool
	// PausedReason says why it was paused when the bot did it.
	PausedReason string
	NextRunAt    time.Time
	// Failures counts the deliveries that failed in a row.
	Failures int
	// Last is the latest finished delivery, when read for the list.
	Last *Delivery
}

// DeliveryStatus is what became of one slot.
type DeliveryStatus string

// The outcomes of a delivery.
const (
	StatusRunning  DeliveryStatus = "running"
	StatusPosted   DeliveryStatus = "posted"
	StatusWithheld DeliveryStatus = "withheld" // the condition did not hold
	StatusFailed   DeliveryStatus = "failed"
)

// Delivery is one slot of a schedule.
type Delivery struct {
	ScheduleID int64
	Slot       time.Time
	// Late is true when the slot was delivered after every instance had
	// been down across it.
	Late       bool
	Status     DeliveryStatus
	Value      *float64
	RowCount   int
	HistoryID  int64
	MessageTS  string
	Error      string
	FinishedAt time.Time
}

// Errors of the store.
var (
	ErrNotFound    = errors.New("no such schedule")
	ErrChannelFull = errors.New("this channel has reached its limit of schedules")
)

// maxFailures is how many deliveries may fail in a row before the
// schedule is paused.
const maxFailures = 3
