package config

// designNames are the Parameter Store names the design document gives
// settings, below SSM_PREFIX: /analytics-bot/slack-token holds
// SLACK_BOT_TOKEN. Settings the design does not name are stored under
// their variable name. Both forms are read; this table is also the one
// the Terraform's parameter names are generated from (deploy/terraform/ssm_names.tf).
var designNames = map[string]string{
	"PROJECT_NAME":         "project-name",
	"DEBUG":                "debug",
	"ENVIRONMENT":          "environment",
	"LOGFIRE_TOKEN":        "logfire-token",
	"LOGFIRE_READ_TOKEN":   "logfire-read-token",
	"LOGFIRE_SERVICE_NAME": "logfire-service",
	"LOGFIRE_ENVIRONMENT":  "logfire-env",
	"POSTGRES_HOST":        "postgres-host",
	"POSTGRES_PORT":        "postgres-port",
	"POSTGRES_USER":        "postgres-user",
	"POSTGRES_PASSWORD":    "postgres-password",
	"POSTGRES_DB":          "postgres-db",
	"OPENAI_API_KEY":       "openai-key",
	"AI_MODEL":             "ai-model",
	"SLACK_BOT_TOKEN":      "slack-token",
	"SLACK_SIGNING_SECRET": "slack-secret",
}

// ParameterName is the name below SSM_PREFIX under which the deployment
// stores variable: the design document's name when it gives one
// ("slack-token" for SLACK_BOT_TOKEN), else the variable name itself.
func ParameterName(variable string) string {
	if name, ok := designNames[variable]; ok {
		return name
	}
	return variable
}

// fromParameters finds variable among the parameters read from SSM (keyed
// by variableName of their path): its own name first, then the design's.
func fromParameters(params map[string]string, variable string) (string, bool) {
	if v, ok := params[variable]; ok {
		return v, true
	}
	if name, ok := designNames[variable]; ok {
		v, ok := params[variableName(name)]
		return v, ok
	}
	return "", false
}
