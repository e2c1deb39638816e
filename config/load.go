package config

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Error is a configuration problem a person must fix; its message names
// the variable.
type Error struct {
	Variable string
	Problem  string
}

func (e *Error) Error() string { return e.Variable + " " + e.Problem }

// ParameterSource reads every parameter under a path, decrypted, keyed by
// the variable name it stands for.
type ParameterSource interface {
	Parameters(ctx context.Context, prefix string) (map[string]string, error)
}

// setting describes one variable: its name, default and how it is stored.
type setting struct {
	name  string
	value string
	apply func(c *Config, v string) error
}

// Variables lists every variable the bot reads, in the order of the
// interface document.
func Variables() []string {
	names := make([]string, 0, len(settings))
	for _, s := range settings {
		names = append(names, s.name)
	}
	return names
}

var settings = []setting{
	{"PROJECT_NAME", "analytics-bot", func(c *Config, v string) error { c.ProjectName = v; return nil }},
	{"DEBUG", "false", func(c *Config, v string) (err error) { c.Debug, err = parseBool(v); return }},
	{"ENVIRONMENT", "local", func(c *Config, v string) error { c.Environment = v; return nil }},
	{"PORT", "8000", func(c *Config, v string) (err error) { c.Port, err = parsePort(v); return }},
	{"POSTGRES_HOST", "localhost", func(c *Config, v string) error { c.PostgresHost = v; return nil }},
	{"POSTGRES_PORT", "5432", func(c *Config, v string) (err error) { c.PostgresPort, err = parsePort(v); return }},
	{"POSTGRES_USER", "postgres", func(c *Config, v string) error { c.PostgresUser = v; return nil }},
	{"POSTGRES_PASSWORD", "", func(c *Config, v string) error { c.PostgresPassword = v; return nil }},
	{"POSTGRES_DB", "analytics", func(c *Config, v string) error { c.PostgresDB = v; return nil }},
	{"POSTGRES_READONLY_USER", "analytics_readonly", func(c *Config, v string) error { c.ReadonlyUser = v; return parseIdentifier(v) }},
	{"POSTGRES_READONLY_PASSWORD", "", func(c *Config, v string) error { c.ReadonlyPassword = v; return nil }},
	{"POSTGRES_READONLY_HOST", "", func(c *Config, v string) error { c.ReadonlyHost = v; return nil }},
	{"POSTGRES_READONLY_PORT", "", func(c *Config, v string) (err error) { c.ReadonlyPort, err = parseOptionalPort(v); return }},
	{"POSTGRES_READONLY_DB", "", func(c *Config, v string) error { c.ReadonlyDB = v; return nil }},
	{"ANALYTICS_SCHEMAS", "public", func(c *Config, v string) (err error) { c.AnalyticsSchemas, err = parseSchemas(v); return }},
	{"OPENAI_API_KEY", "", func(c *Config, v string) error { c.OpenAIAPIKey = v; return nil }},
	{"OPENAI_BASE_URL", DefaultOpenAIBaseURL, func(c *Config, v string) (err error) { c.OpenAIBaseURL, err = parseURL(v); return }},
	{"AI_MODEL", "gpt-4.1", func(c *Config, v string) error { c.AIModel = v; return nonEmpty(v) }},
	{"AI_PRICES", "", func(c *Config, v string) error { c.ModelPrices = v; return nil }},
	{"SLACK_BOT_TOKEN", "", func(c *Config, v string) error { c.SlackBotToken = v; return nil }},
	{"SLACK_SIGNING_SECRET", "", func(c *Config, v string) error { c.SlackSigningSecret = v; return nil }},
	{"SLACK_API_URL", "https://slack.com/api/", func(c *Config, v string) (err error) { c.SlackAPIURL, err = parseSlackURL(v); return }},
	{"SLACK_APP_TOKEN", "", func(c *Config, v string) error { c.SlackAppToken = v; return parseAppToken(v) }},
	{"LOGFIRE_TOKEN", "", func(c *Config, v string) error { c.LogfireToken = v; return nil }},
	{"LOGFIRE_READ_TOKEN", "", func(c *Config, v string) error { c.LogfireReadToken = v; return nil }},
	{"LOGFIRE_SERVICE_NAME", "", func(c *Config, v string) error { c.LogfireServiceName = v; return nil }},
	{"LOGFIRE_ENVIRONMENT", "", func(c *Config, v string) error { c.LogfireEnvironment = v; return nil }},
	{"QUERY_TIMEOUT", "15s", func(c *Config, v string) (err error) { c.QueryTimeout, err = parseDuration(v); return }},
	{"MAX_RESULT_ROWS", "1000", func(c *Config, v string) (err error) { c.MaxResultRows, err = parsePositive(v); return }},
	{"EXPORT_MAX_ROWS", "1000000", func(c *Config, v string) (err error) { c.ExportMaxRows, err = parsePositive(v); return }},
	{"PROMPTS_DIR", "", func(c *Config, v string) error { c.PromptsDir = v; return nil }},
	{"ALLOWED_CHANNELS", "", func(c *Config, v string) error { c.AllowedChannels = parseList(v); return nil }},
	{"ALLOWED_USERS", "", func(c *Config, v string) error { c.AllowedUsers = parseList(v); return nil }},
	{"ALLOW_EXTERNAL_USERS", "false", func(c *Config, v string) (err error) { c.AllowExternalUsers, err = parseBool(v); return }},
	{"ALLOWED_LINK_HOSTS", "", func(c *Config, v string) error { c.AllowedLinkHosts = parseList(v); return nil }},
	{"CHARTS", "true", func(c *Config, v string) (err error) { c.Charts, err = parseBool(v); return }},
	{"WORKERS", "", func(c *Config, v string) (err error) { c.Workers, err = parseWorkers(v); return }},
	{"KNOWLEDGE_DIR", "", func(c *Config, v string) error { c.KnowledgeDir = v; return nil }},
	{"CURATORS", "", func(c *Config, v string) error { c.Curators = parseList(v); return nil }},
	{"ACCESS_FILE", "", func(c *Config, v string) error { c.AccessFile = v; return nil }},
	{"SCHEDULES", "true", func(c *Config, v string) (err error) { c.Schedules, err = parseBool(v); return }},
	{"SCHEDULES_PER_CHANNEL", "20", func(c *Config, v string) (err error) { c.SchedulesPerChannel, err = parsePositive(v); return }},
	{"EXPORT_MAX_BYTES", "100MB", func(c *Config, v string) (err error) { c.ExportMaxBytes, err = parseBytes(v); return }},
	{"MAX_RESULT_BYTES", "8MB", func(c *Config, v string) (err error) { c.MaxResultBytes, err = parseBytes(v); return }},
	{"MAX_TOOL_CALLS_PER_TURN", "16", func(c *Config, v string) (err error) { c.MaxToolCallsPerTurn, err = parsePositive(v); return }},
	{"MAX_EXPORTS_PER_QUESTION", "3", func(c *Config, v string) (err error) { c.MaxExportsPerQuestion, err = parsePositive(v); return }},
	{"MAX_QUESTIONS_PER_USER", "2", func(c *Config, v string) (err error) { c.MaxQuestionsPerUser, err = parsePositive(v); return }},
}

// Load resolves the configuration: explicit environment first, then SSM
// Parameter Store under SSM_PREFIX (when set) for every unset variable,
// then the defaults. lookup is os.LookupEnv in production; source may be
// nil when SSM is not wanted.
func Load(ctx context.Context, lookup func(string) (string, bool), source ParameterSource) (*Config, error) {
	prefix, _ := lookup("SSM_PREFIX")
	prefix = strings.TrimSpace(prefix)

	var fromSSM map[string]string
	if prefix != "" {
		if source == nil {
			return nil, &Error{Variable: "SSM_PREFIX", Problem: "is set but no SSM client is available"}
		}
		var err error
		fromSSM, err = source.Parameters(ctx, prefix)
		if err != nil {
			return nil, fmt.Errorf("SSM_PREFIX %s: read parameters: %w", prefix, err)
		}
	}

	cfg := &Config{SSMPrefix: prefix}
	cfg.rolePassword = func(variable string) string {
		if v, ok := lookup(variable); ok {
			return strings.TrimSpace(v)
		}
		v, _ := fromParameters(fromSSM, variable)
		return strings.TrimSpace(v)
	}
	for _, s := range settings {
		value, ok := lookup(s.name)
		if !ok {
			value, ok = fromParameters(fromSSM, s.name)
		}
		if !ok {
			value = s.value
		}
		if err := s.apply(cfg, strings.TrimSpace(value)); err != nil {
			return nil, &Error{Variable: s.name, Problem: fmt.Sprintf("is invalid (%q): %v", redactIfSecret(s.name, value), err)}
		}
	}
	if cfg.ReadonlyHost == "" {
		cfg.ReadonlyHost = cfg.PostgresHost
	}
	if cfg.ReadonlyPort == 0 {
		cfg.ReadonlyPort = cfg.PostgresPort
	}
	if cfg.ReadonlyDB == "" {
		cfg.ReadonlyDB = cfg.PostgresDB
	}
	if cfg.LogfireServiceName == "" {
		cfg.LogfireServiceName = cfg.ProjectName
	}
	if cfg.LogfireEnvironment == "" {
		cfg.LogfireEnvironment = cfg.Environment
	}
	return cfg, nil
}

// Requirement names what a command needs from the configuration.
type Requirement int

// The requirements commands combine.
const (
	NeedDatabase Requirement = 1 << iota
	NeedModel
	NeedSlack
)

// Validate checks that the configuration has what a command needs and
// says exactly which variable is missing.
func (c *Config) Validate(need Requirement) error {
	if need&NeedDatabase != 0 {
		for name, v := range map[string]string{"POSTGRES_HOST": c.PostgresHost, "POSTGRES_USER": c.PostgresUser, "POSTGRES_DB": c.PostgresDB} {
			if v == "" {
				return &Error{Variable: name, Problem: "is empty"}
			}
		}
	}
	if need&NeedModel != 0 && c.OpenAIAPIKey == "" && c.OpenAIBaseURL == DefaultOpenAIBaseURL {
		return &Error{Variable: "OPENAI_API_KEY", Problem: "is not set (needed to ask the model; or set OPENAI_BASE_URL to an OpenAI-compatible server)"}
	}
	if need&NeedSlack != 0 {
		if c.SlackBotToken == "" {
			return &Error{Variable: "SLACK_BOT_TOKEN", Problem: "is not set (needed to answer in Slack)"}
		}
		if c.SlackSigningSecret == "" {
			return &Error{Variable: "SLACK_SIGNING_SECRET", Problem: "is not set (needed to verify Slack requests)"}
		}
	}
	return nil
}

// IsError reports whether err is a configuration error, which commands
// report with exit code 2.
func IsError(err error) bool {
	var cerr *Error
	return errors.As(err, &cerr)
}

func redactIfSecret(name, value string) string {
	for _, marker := range []string{"PASSWORD", "TOKEN", "SECRET", "KEY"} {
		if strings.Contains(name, marker) {
			return "****"
		}
	}
	return value
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "", "0", "false", "no", "off":
		return false, nil
	}
	return false, errors.New("want true or false")
}

func parsePort(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 65535 {
		return 0, errors.New("want a port number between 0 and 65535")
	}
	return n, nil
}

func parseOptionalPort(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > 65535 {
		return 0, errors.New("want a port number between 1 and 65535")
	}
	return n, nil
}

func parsePositive(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, errors.New("want a positive whole number")
	}
	return n, nil
}

// parseWorkers reads WORKERS; unset (or empty) is DefaultWorkers.
func parseWorkers(v string) (int, error) {
	if v == "" {
		return DefaultWorkers(), nil
	}
	return parseNonNegative(v)
}

func parseNonNegative(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errors.New("want a whole number, 0 or more")
	}
	return n, nil
}

// parseBytes reads a size such as 100MB, 512KB, 1GB or a bare number of
// bytes (units of 1024).
func parseBytes(v string) (int64, error) {
	bad := errors.New("want a size such as 100MB, 512KB or 1GB")
	upper := strings.ToUpper(strings.TrimSpace(v))
	unit := int64(1)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(upper, u.suffix) {
			upper, unit = strings.TrimSpace(strings.TrimSuffix(upper, u.suffix)), u.size
			break
		}
	}
	n, err := strconv.ParseInt(upper, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/unit {
		return 0, bad
	}
	return n * unit, nil
}

func parseDuration(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		v = strconv.Itoa(n) + "s" // a bare number means seconds
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("want a positive duration such as 15s")
	}
	return d, nil
}

func parseURL(v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("want an http(s) URL")
	}
	return strings.TrimRight(v, "/"), nil
}

func parseSlackURL(v string) (string, error) {
	u, err := parseURL(v)
	if err != nil {
		return "", err
	}
	return u + "/", nil // slack-go needs the trailing slash
}

func parseIdentifier(v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	for i, r := range v {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return errors.New("want a lower-case PostgreSQL role name (letters, digits, _)")
		}
	}
	return nil
}

// parseSchemas reads a comma-separated list of schema names. Names are
// taken exactly as written (PostgreSQL's catalog spelling: unquoted names
// are lower-case there) and quoted wherever they reach SQL.
func parseSchemas(v string) ([]string, error) {
	names := parseList(v)
	if len(names) == 0 {
		return nil, errors.New("want at least one schema name, such as public")
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		switch {
		case len(n) > 63:
			return nil, fmt.Errorf("schema name %q is longer than PostgreSQL's 63 bytes", n)
		case strings.ContainsFunc(n, func(r rune) bool { return r < ' ' || r == 0x7f || r == '"' }):
			return nil, fmt.Errorf("schema name %q holds a control character or a double quote", n)
		case n == "analytics_bot":
			return nil, errors.New("analytics_bot is the bot's private schema and is never readable")
		case n == "information_schema" || strings.HasPrefix(n, "pg_"):
			return nil, fmt.Errorf("%s is a PostgreSQL system schema", n)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

func nonEmpty(v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func parseList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parseAppToken(v string) error {
	switch {
	case v == "" || strings.HasPrefix(v, "xapp-"):
		return nil
	case strings.HasPrefix(v, "xoxb-"):
		return errors.New("holds a bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN; Socket Mode needs an app-level token (xapp-…) with connections:write, from Basic Information → App-Level Tokens")
	}
	return errors.New("want an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write); unset it to use the HTTP endpoints")
}
