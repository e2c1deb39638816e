package liveness

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// riverStuckError is the attempt error of River's own stuck-job rescue.
const riverStuckError = "Stuck job rescued by JobRescuer"

// LostAttempts counts a job's attempts that never reported back: taken
// from a dead instance by the reaper, or rescued by River as stuck. An
// attempt that failed or timed out in a live process reports its own error
// and is not counted. A job that keeps killing its process shows here.
func LostAttempts(errs []rivertype.AttemptError) int {
	n := 0
	for _, e := range errs {
		if strings.HasPrefix(e.Error, diedError) || e.Error == riverStuckError {
			n++
		}
	}
	return n
}

// PickupHook is a River plugin (a work-begin hook) that records, when a
// job the reaper recovered starts again, the delay from its dead
// instance's last sign of life.
func PickupHook(m Metrics) rivertype.Plugin {
	if m == nil {
		m = noMetrics{}
	}
	return river.HookWorkBeginFunc(func(ctx context.Context, job *rivertype.JobRow) error {
		if delay, ok := pickupDelay(job); ok {
			m.RecordFailoverDelay(ctx, job.Kind, delay)
		}
		return nil
	})
}

// pickupDelay is the time from the last sign of life of the instance the
// job was recovered from to this attempt, when this is the attempt right
// after the recovery.
func pickupDelay(job *rivertype.JobRow) (time.Duration, bool) {
	var meta struct {
		Liveness *struct {
			RecoveredAttempt int       `json:"recovered_attempt"`
			LastSeen         time.Time `json:"last_seen"`
		} `json:"liveness"`
	}
	if json.Unmarshal(job.Metadata, &meta) != nil || meta.Liveness == nil || job.AttemptedAt == nil {
		return 0, false
	}
	if job.Attempt != meta.Liveness.RecoveredAttempt+1 {
		return 0, false
	}
	return job.AttemptedAt.Sub(meta.Liveness.LastSeen), true
}
