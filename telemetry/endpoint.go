package telemetry

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
)

// Logfire's OTLP bases by region; a write token names its region.
const (
	logfireUS = "https://logfire-us.pydantic.dev"
	logfireEU = "https://logfire-eu.pydantic.dev"
)

// LogfireEndpoint returns the OTLP base URL for a Logfire write token:
// tokens look like pylf_v1_eu_… or pylf_v1_us_…, and anything else
// (including tokens issued before regions existed) goes to the US region,
// as Logfire's own SDK does.
func LogfireEndpoint(token string) string {
	rest, ok := strings.CutPrefix(token, "pylf_v")
	if !ok {
		return logfireUS
	}
	version, rest, ok := strings.Cut(rest, "_")
	if !ok || version == "" || strings.Trim(version, "0123456789") != "" {
		return logfireUS
	}
	region, _, ok := strings.Cut(rest, "_")
	if ok && region == "eu" {
		return logfireEU
	}
	return logfireUS
}

// target is where each signal goes and with which headers; an empty URL
// means the signal is not exported.
type target struct {
	tracesURL      string
	metricsURL     string
	tracesHeaders  map[string]string
	metricsHeaders map[string]string
	logfire        bool
}

func (t target) enabled() bool { return t.tracesURL != "" || t.metricsURL != "" }

// resolveTarget applies the standard OTLP variables over the Logfire
// defaults. A per-signal endpoint is used as is; the general endpoint is a
// base to which /v1/traces or /v1/metrics is appended, as the OTLP
// exporter specification says.
func resolveTarget(cfg Config) (target, error) {
	lookup := cfg.Lookup
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	get := func(key string) string {
		v, _ := lookup(key)
		return strings.TrimSpace(v)
	}
	if strings.EqualFold(get("OTEL_SDK_DISABLED"), "true") {
		return target{}, nil
	}
	for _, key := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"} {
		if p := get(key); p != "" && p != "http/protobuf" {
			return target{}, fmt.Errorf("%s is %q: only http/protobuf is supported", key, p)
		}
	}

	base := get("OTEL_EXPORTER_OTLP_ENDPOINT")
	if base == "" && cfg.LogfireToken != "" {
		base = LogfireEndpoint(cfg.LogfireToken)
	}
	t := target{logfire: cfg.LogfireToken != ""}
	var err error
	if t.tracesURL, err = signalURL(get, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", base, "/v1/traces"); err != nil {
		return target{}, err
	}
	if t.metricsURL, err = signalURL(get, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", base, "/v1/metrics"); err != nil {
		return target{}, err
	}

	common := map[string]string{}
	if cfg.LogfireToken != "" {
		// Logfire takes the bare token, without "Bearer".
		common["Authorization"] = cfg.LogfireToken
	}
	if err := parseHeaders(get, "OTEL_EXPORTER_OTLP_HEADERS", common); err != nil {
		return target{}, err
	}
	t.tracesHeaders = maps.Clone(common)
	if err := parseHeaders(get, "OTEL_EXPORTER_OTLP_TRACES_HEADERS", t.tracesHeaders); err != nil {
		return target{}, err
	}
	t.metricsHeaders = maps.Clone(common)
	if err := parseHeaders(get, "OTEL_EXPORTER_OTLP_METRICS_HEADERS", t.metricsHeaders); err != nil {
		return target{}, err
	}
	return t, nil
}

// signalURL returns the signal's own endpoint if set, else base + path,
// else "".
func signalURL(get func(string) string, key, base, path string) (string, error) {
	raw, from := get(key), key
	if raw == "" && base != "" {
		raw, from = strings.TrimRight(base, "/")+path, "OTEL_EXPORTER_OTLP_ENDPOINT"
	}
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s: %q is not an http(s) URL", from, raw)
	}
	return raw, nil
}

// parseHeaders adds the key=value pairs of an OTEL_*_HEADERS variable
// (comma-separated, values percent-encoded) to into. Errors never quote
// a value: headers usually hold credentials.
func parseHeaders(get func(string) string, key string, into map[string]string) error {
	raw := get(key)
	if raw == "" {
		return nil
	}
	for i, pair := range strings.Split(raw, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, value, ok := strings.Cut(pair, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return fmt.Errorf("%s: entry %d is not key=value", key, i+1)
		}
		decoded, err := url.PathUnescape(strings.TrimSpace(value))
		if err != nil {
			return fmt.Errorf("%s: value of %q is not percent-encoded correctly", key, name)
		}
		into[http.CanonicalHeaderKey(name)] = decoded
	}
	return nil
}
