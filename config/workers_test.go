package config_test

import (
	"testing"

	"github.com/analytics-bot/analytics-bot/config"
)

// WORKERS unset (or empty, as Terraform stores an unset setting) is derived
// from the pool size; any number given overrides it, 0 included.
func TestWorkersDefaultIsDerivedFromThePools(t *testing.T) {
	if got, want := config.DefaultWorkers(), config.PoolConns*config.QuestionsPerConn; got != want {
		t.Fatalf("DefaultWorkers() = %d, want PoolConns × QuestionsPerConn = %d", got, want)
	}
	// Two model turns of 2 s each: the default must reach 1,500 questions a minute.
	if perMinute := config.DefaultWorkers() * 60 / 4; perMinute <= 1500 {
		t.Fatalf("default WORKERS %d gives a ceiling of %d questions a minute with a 2 s model, want above 1,500", config.DefaultWorkers(), perMinute)
	}
	cases := []struct {
		env  env
		want int
	}{
		{env{}, 120},
		{env{"WORKERS": " "}, 120},
		{env{"WORKERS": "7"}, 7},
		{env{"WORKERS": "0"}, 0},
	}
	for _, c := range cases {
		if got := load(t, c.env).Workers; got != c.want {
			t.Errorf("WORKERS=%q: Workers = %d, want %d", c.env["WORKERS"], got, c.want)
		}
	}
}
