// Package config loads analytics-bot's settings from the environment and,
// for whatever the environment leaves unset, from AWS SSM Parameter Store.
package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// Config is every setting of the bot, resolved and typed.
type Config struct {
	ProjectName string
	Debug       bool
	Environment string
	SSMPrefix   string
	Port        int

	PostgresHost     string
	PostgresPort     int
	PostgresUser     string
	PostgresPassword string
	PostgresDB       string

	ReadonlyUser     string
	ReadonlyPassword string
	// ReadonlyHost, ReadonlyPort and ReadonlyDB are where model-written
	// SQL runs (a read replica, for example); they default to the
	// Postgres* values. The bot's own state stays on Postgres*.
	ReadonlyHost string
	ReadonlyPort int
	ReadonlyDB   string
	// AnalyticsSchemas are the schemas the read-only role may read.
	AnalyticsSchemas []string

	OpenAIAPIKey  string
	OpenAIBaseURL string
	AIModel       string
	// ModelPrices overrides or extends the built-in price table, as
	// "model=input,cached,output;…" in dollars per million tokens.
	ModelPrices string

	SlackBotToken      string
	SlackSigningSecret string
	SlackAPIURL        string
	SlackAppToken      string

	LogfireToken       string
	LogfireReadToken   string
	LogfireServiceName string
	LogfireEnvironment string

	QueryTimeout  time.Duration
	MaxResultRows int
	ExportMaxRows int
	PromptsDir    string

	AllowedChannels []string
	AllowedUsers    []string
	// AllowExternalUsers serves people of other organisations in Slack
	// Connect channels (ALLOW_EXTERNAL_USERS); off by default.
	AllowExternalUsers bool
	// AllowedLinkHosts are the hosts whose links in the model's text stay
	// links in Slack; every other link shows its address as code.
	AllowedLinkHosts []string
	Charts           bool
	// Workers is how many questions one instance works on at once
	// (WORKERS); unset, it is DefaultWorkers.
	Workers int

	// KnowledgeDir is a folder with verified.yaml and glossary.yaml; empty
	// uses the demo knowledge built into the binary.
	KnowledgeDir string
	// Curators may propose and approve verified queries, and change any
	// schedule.
	Curators []string
	// Schedules turns scheduled questions and alerts on.
	Schedules bool
	// SchedulesPerChannel caps the schedules that post into one channel.
	SchedulesPerChannel int

	// AccessFile is a YAML file of data roles and the rules that map
	// Slack channels, users and user groups to them (ACCESS_FILE); empty
	// runs every question as ReadonlyUser.
	AccessFile string
	// rolePassword reads POSTGRES_ROLE_PASSWORD_<NAME> as the other
	// settings are read: environment first, then SSM.
	rolePassword func(variable string) string

	// ExportMaxBytes caps the size of an export's file (EXPORT_MAX_BYTES).
	ExportMaxBytes int64
	// MaxResultBytes caps the bytes one run_readonly_sql reads (MAX_RESULT_BYTES).
	MaxResultBytes int64
	// MaxToolCallsPerTurn caps the tool calls run from one model turn.
	MaxToolCallsPerTurn int
	// MaxExportsPerQuestion caps the files export_csv posts for one question.
	MaxExportsPerQuestion int
	// MaxQuestionsPerUser caps one user's questions worked on at once; the
	// rest wait.
	MaxQuestionsPerUser int
}

// RolePasswordVariable is the setting that holds data role name's
// password: POSTGRES_ROLE_PASSWORD_ and the name upper-cased, with every
// character other than a letter or digit as _.
func RolePasswordVariable(role string) string {
	var b strings.Builder
	b.WriteString("POSTGRES_ROLE_PASSWORD_")
	for _, r := range role {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// RolePassword is data role name's password from its setting (see
// RolePasswordVariable), or "" when unset.
func (c *Config) RolePassword(role string) string {
	if c.rolePassword == nil {
		return ""
	}
	return c.rolePassword(RolePasswordVariable(role))
}

// DefaultOpenAIBaseURL is the OpenAI API used when OPENAI_BASE_URL is unset.
const DefaultOpenAIBaseURL = "https://api.openai.com/v1"

// IsLocal reports whether the bot runs on a developer machine, where a
// missing read-only password may be generated.
func (c *Config) IsLocal() bool { return c.Environment == "local" }

// PostgresDSN is the connection string of the application's own role.
func (c *Config) PostgresDSN() string {
	return dsn(c.PostgresHost, c.PostgresPort, c.PostgresUser, c.PostgresPassword, c.PostgresDB)
}

// ReadonlyDSN is the connection string of the role model-written SQL runs as.
func (c *Config) ReadonlyDSN() string {
	return dsn(c.ReadonlyHost, c.ReadonlyPort, c.ReadonlyUser, c.ReadonlyPassword, c.ReadonlyDB)
}

// RoleDSN is the connection string of a data role: it logs in where
// model-written SQL runs, as role.
func (c *Config) RoleDSN(role, password string) string {
	return dsn(c.ReadonlyHost, c.ReadonlyPort, role, password, c.ReadonlyDB)
}

func dsn(host string, port int, user, password, db string) string {
	u := url.URL{
		Scheme: "postgres",
		Host:   fmt.Sprintf("%s:%d", host, port),
		Path:   "/" + db,
	}
	if password != "" {
		u.User = url.UserPassword(user, password)
	} else {
		u.User = url.User(user)
	}
	return u.String()
}

// LogValue renders the configuration for logs with every secret masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("project_name", c.ProjectName),
		slog.Bool("debug", c.Debug),
		slog.String("environment", c.Environment),
		slog.String("ssm_prefix", c.SSMPrefix),
		slog.Int("port", c.Port),
		slog.String("postgres", fmt.Sprintf("%s@%s:%d/%s", c.PostgresUser, c.PostgresHost, c.PostgresPort, c.PostgresDB)),
		slog.String("postgres_password", mask(c.PostgresPassword)),
		slog.String("readonly", fmt.Sprintf("%s@%s:%d/%s", c.ReadonlyUser, c.ReadonlyHost, c.ReadonlyPort, c.ReadonlyDB)),
		slog.String("analytics_schemas", strings.Join(c.AnalyticsSchemas, ",")),
		slog.String("readonly_password", mask(c.ReadonlyPassword)),
		slog.String("openai_api_key", mask(c.OpenAIAPIKey)),
		slog.String("openai_base_url", c.OpenAIBaseURL),
		slog.String("ai_model", c.AIModel),
		slog.String("slack_bot_token", mask(c.SlackBotToken)),
		slog.String("slack_signing_secret", mask(c.SlackSigningSecret)),
		slog.String("slack_app_token", mask(c.SlackAppToken)),
		slog.String("slack_api_url", c.SlackAPIURL),
		slog.String("logfire_token", mask(c.LogfireToken)),
		slog.String("logfire_read_token", mask(c.LogfireReadToken)),
		slog.String("logfire_service_name", c.LogfireServiceName),
		slog.String("logfire_environment", c.LogfireEnvironment),
		slog.Duration("query_timeout", c.QueryTimeout),
		slog.Int("max_result_rows", c.MaxResultRows),
		slog.Int("export_max_rows", c.ExportMaxRows),
		slog.Int64("export_max_bytes", c.ExportMaxBytes),
		slog.Int64("max_result_bytes", c.MaxResultBytes),
		slog.String("prompts_dir", c.PromptsDir),
		slog.String("allowed_channels", strings.Join(c.AllowedChannels, ",")),
		slog.String("allowed_users", strings.Join(c.AllowedUsers, ",")),
		slog.Bool("allow_external_users", c.AllowExternalUsers),
		slog.String("allowed_link_hosts", strings.Join(c.AllowedLinkHosts, ",")),
		slog.Bool("charts", c.Charts),
		slog.Int("workers", c.Workers),
		slog.String("knowledge_dir", c.KnowledgeDir),
		slog.String("curators", strings.Join(c.Curators, ",")),
		slog.String("access_file", c.AccessFile),
		slog.Bool("schedules", c.Schedules),
		slog.Int("schedules_per_channel", c.SchedulesPerChannel),
	)
}

// Secrets lists the secret values of the configuration that are set, so
// that tests and log scrubbers can look for them.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.PostgresPassword, c.ReadonlyPassword, c.OpenAIAPIKey,
		c.SlackBotToken, c.SlackSigningSecret, c.SlackAppToken, c.LogfireToken, c.LogfireReadToken} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func mask(secret string) string {
	if secret == "" {
		return "(unset)"
	}
	return "****"
}
