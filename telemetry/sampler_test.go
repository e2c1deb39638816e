package telemetry

import (
	"strings"
	"testing"
)

func TestSamplerFromStandardVariables(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  map[string]string
		want string // the sampler's description
		err  string
	}{
		{nil, "ParentBased{root:AlwaysOnSampler", ""},
		{map[string]string{"OTEL_TRACES_SAMPLER": "always_off"}, "AlwaysOffSampler", ""},
		{map[string]string{"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"}, "ParentBased{root:TraceIDRatioBased{0.25}", ""},
		{map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"}, "", "OTEL_TRACES_SAMPLER_ARG"},
		{map[string]string{"OTEL_TRACES_SAMPLER": "jaeger_remote"}, "", "OTEL_TRACES_SAMPLER"},
	}
	for _, tc := range cases {
		lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
		s, err := sampler(lookup)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: err = %v, want one naming %s", tc.env, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if got := s.Description(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%v: sampler %s, want %s…", tc.env, got, tc.want)
		}
	}
}
