package fake

import "time"

// waitFor blocks until cond holds, re-checking it whenever the channel
// changed returns is closed (the fake's state changed) and every 50 ms, for
// conditions that look elsewhere too. changed is read before each check, so
// a change during cond is not missed. It reports false if timeout passes
// first, leaving the caller to fail the test with what its fake received.
func waitFor(timeout time.Duration, changed func() <-chan struct{}, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		ch := changed()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline.C:
			return false
		}
	}
}
