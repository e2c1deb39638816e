# Generated from config (config/names.go) by `go test ./deploy -run TestSSMNamesFile -update`;
# do not edit. The Parameter Store name below ssm_prefix of every setting: the design
# document's name where it gives one (slack-token for SLACK_BOT_TOKEN); a setting not
# listed here is stored under its variable name (lookup(..., name, name)).

locals {
  ssm_parameter_names = {
    PROJECT_NAME         = "project-name"
    DEBUG                = "debug"
    ENVIRONMENT          = "environment"
    POSTGRES_HOST        = "postgres-host"
    POSTGRES_PORT        = "postgres-port"
    POSTGRES_USER        = "postgres-user"
    POSTGRES_PASSWORD    = "postgres-password"
    POSTGRES_DB          = "postgres-db"
    OPENAI_API_KEY       = "openai-key"
    AI_MODEL             = "ai-model"
    SLACK_BOT_TOKEN      = "slack-token"
    SLACK_SIGNING_SECRET = "slack-secret"
    LOGFIRE_TOKEN        = "logfire-token"
    LOGFIRE_READ_TOKEN   = "logfire-read-token"
    LOGFIRE_SERVICE_NAME = "logfire-service"
    LOGFIRE_ENVIRONMENT  = "logfire-env"
  }
}
