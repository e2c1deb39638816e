# ---------------------------------------------------------------------------------------
# Deployment
# ---------------------------------------------------------------------------------------

variable "name" {
  description = "Name prefix for every resource (also PROJECT_NAME and the default LOGFIRE_SERVICE_NAME)."
  type        = string
  default     = "analytics-bot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters: lower-case letters, digits and '-', starting with a letter."
  }
}

variable "environment" {
  description = "Deployment environment (ENVIRONMENT). \"prod\" turns on RDS deletion protection and a final snapshot."
  type        = string
  default     = "prod"

  validation {
    condition     = contains(["prod", "staging", "dev"], var.environment)
    error_message = "environment must be one of prod, staging, dev."
  }
}

variable "aws_region" {
  description = "AWS region to deploy into; also the AWS_REGION the service runs with."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like us-east-1."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be an IPv4 CIDR block such as 10.0.0.0/16."
  }
}

variable "public_subnet_cidr" {
  description = "CIDR of the public subnet that holds the NAT gateway or NAT instance."
  type        = string
  default     = "10.0.1.0/24"

  validation {
    condition     = can(cidrhost(var.public_subnet_cidr, 0))
    error_message = "public_subnet_cidr must be an IPv4 CIDR block such as 10.0.1.0/24."
  }
}

variable "private_subnet_cidrs" {
  description = "CIDRs of the two private subnets, in two availability zones (RDS requires two). The app runs in the first."
  type        = list(string)
  default     = ["10.0.100.0/24", "10.0.101.0/24"]

  validation {
    condition     = length(var.private_subnet_cidrs) == 2 && alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "private_subnet_cidrs must be exactly two IPv4 CIDR blocks, one per availability zone."
  }
}

variable "nat_mode" {
  description = "How the private subnets reach OpenAI, Slack, Logfire and SSM: \"gateway\" (managed NAT gateway, about $33/month plus data) or \"instance\" (a small Graviton NAT instance, about $7/month, no managed failover)."
  type        = string
  default     = "gateway"

  validation {
    condition     = contains(["gateway", "instance"], var.nat_mode)
    error_message = "nat_mode must be \"gateway\" or \"instance\"."
  }
}

variable "nat_instance_type" {
  description = "Instance type of the NAT instance when nat_mode = \"instance\". Must be a Graviton (arm64) type."
  type        = string
  default     = "t4g.nano"

  validation {
    condition     = can(regex("^[a-z]+[0-9]+g[a-z]*\\.[a-z0-9]+$", var.nat_instance_type))
    error_message = "nat_instance_type must be a Graviton (arm64) instance type such as t4g.nano or t4g.micro."
  }
}

variable "bastion_ingress_cidrs" {
  description = "CIDRs allowed to SSH into instances that carry the bastion security group. SSH into the app is only ever allowed from that group. Empty: nobody."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.bastion_ingress_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "bastion_ingress_cidrs must be IPv4 CIDR blocks, and not 0.0.0.0/0."
  }
}

# ---------------------------------------------------------------------------------------
# App instances
# ---------------------------------------------------------------------------------------

variable "app_architecture" {
  description = "CPU architecture of the app instances: \"x86_64\" (t3) or \"arm64\" (Graviton t4g, about 20% cheaper). Picks the AMI and the release binary."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.app_architecture)
    error_message = "app_architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "app_instance_type" {
  description = "Instance type of the app instances. Default: t3.micro for x86_64, t4g.micro for arm64."
  type        = string
  default     = null

  validation {
    condition = var.app_instance_type == null || (
      can(regex("^[a-z]+[0-9]+[a-z-]*\\.[a-z0-9]+$", var.app_instance_type)) &&
      can(regex("^[a-z]+[0-9]+g[a-z]*\\.", var.app_instance_type)) == (var.app_architecture == "arm64")
    )
    error_message = "app_instance_type must match app_architecture: a Graviton type (t4g.micro, ...) for arm64, a non-Graviton type (t3.micro, ...) for x86_64."
  }
}

variable "app_instance_count" {
  description = "Number of app instances. They share the database and its work queue; API Gateway spreads requests over them through Cloud Map."
  type        = number
  default     = 1

  validation {
    condition     = var.app_instance_count >= 1 && var.app_instance_count <= 4 && floor(var.app_instance_count) == var.app_instance_count
    error_message = "app_instance_count must be a whole number from 1 to 4."
  }
}

variable "ssh_key_name" {
  description = "Name of an EC2 key pair for SSH through the bastion. Null: no key (no SSH)."
  type        = string
  default     = null
}

variable "release_base_url" {
  description = "Where releases live: s3://bucket/prefix or https://host/path (no trailing slash). The instance fetches <release_base_url>/<release_version>/{analytics-bot-linux-<arch>,analytics-bot.service,SHA256SUMS}."
  type        = string

  validation {
    condition     = can(regex("^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|https://[A-Za-z0-9.-]+)(/[A-Za-z0-9._~+-]+)*$", var.release_base_url))
    error_message = "release_base_url must be s3://bucket[/prefix] or https://host[/path], without a trailing slash or quotes."
  }
}

variable "release_version" {
  description = "Release to install (the VERSION given to deploy/release.sh, for example v1.2.3). Changing it replaces the app instances."
  type        = string

  validation {
    condition     = can(regex("^v?[0-9A-Za-z][0-9A-Za-z._+-]*$", var.release_version))
    error_message = "release_version must be letters, digits, '.', '_', '+' or '-' (for example v1.2.3)."
  }
}

# ---------------------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t3.micro"

  validation {
    condition     = startswith(var.db_instance_class, "db.")
    error_message = "db_instance_class must be an RDS class such as db.t3.micro or db.t4g.micro."
  }
}

variable "db_engine_version" {
  description = "PostgreSQL version (a major version lets RDS pick the newest minor)."
  type        = string
  default     = "17"

  validation {
    condition     = can(regex("^1[5-9](\\.[0-9]+)?$", var.db_engine_version))
    error_message = "db_engine_version must be PostgreSQL 15 or newer, for example 17 or 17.4."
  }
}

variable "db_temp_file_limit_mb" {
  description = "temp_file_limit of every database session, in MB: the temporary files one statement may write."
  type        = number
  default     = 1024

  validation {
    condition     = var.db_temp_file_limit_mb >= 64 && floor(var.db_temp_file_limit_mb) == var.db_temp_file_limit_mb
    error_message = "db_temp_file_limit_mb must be a whole number of MB, at least 64."
  }
}

variable "db_allocated_storage" {
  description = "Initial storage in GiB (gp3; 20 is the minimum)."
  type        = number
  default     = 20

  validation {
    condition     = var.db_allocated_storage >= 20 && var.db_allocated_storage <= 1000
    error_message = "db_allocated_storage must be between 20 and 1000 GiB."
  }
}

variable "db_max_allocated_storage" {
  description = "Upper bound for RDS storage autoscaling in GiB (0 disables autoscaling)."
  type        = number
  default     = 100

  validation {
    condition     = var.db_max_allocated_storage == 0 || var.db_max_allocated_storage >= var.db_allocated_storage
    error_message = "db_max_allocated_storage must be 0 or at least db_allocated_storage."
  }
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time restore window)."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 1 and 35: automated backups stay on."
  }
}

variable "db_multi_az" {
  description = "Run RDS Multi-AZ (a standby in the second zone; doubles the database cost)."
  type        = bool
  default     = false
}

variable "db_name" {
  description = "Database name (POSTGRES_DB)."
  type        = string
  default     = "analytics"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must be a lower-case PostgreSQL identifier."
  }
}

variable "db_username" {
  description = "RDS master user, which the app uses as the owner of its tables (POSTGRES_USER)."
  type        = string
  default     = "postgres"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_username)) && !contains(["rdsadmin", "admin", "rdsrepladmin"], var.db_username)
    error_message = "db_username must be a lower-case PostgreSQL identifier and not an RDS-reserved name."
  }
}

variable "db_readonly_username" {
  description = "The read-only role every model-written statement runs as (POSTGRES_READONLY_USER); `analytics-bot migrate` creates it."
  type        = string
  default     = "analytics_readonly"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_readonly_username))
    error_message = "db_readonly_username must be a lower-case PostgreSQL identifier."
  }
}

variable "db_password_version" {
  description = "Bump to generate a new RDS master password (written to RDS and to POSTGRES_PASSWORD in the same apply)."
  type        = number
  default     = 1
}

variable "db_readonly_password_version" {
  description = "Bump to generate a new POSTGRES_READONLY_PASSWORD (then run `analytics-bot migrate` to apply it to the role)."
  type        = number
  default     = 1
}

# ---------------------------------------------------------------------------------------
# Application settings (the README's configuration table), stored in SSM
# ---------------------------------------------------------------------------------------

variable "ssm_prefix" {
  description = "SSM Parameter Store path of the settings (SSM_PREFIX); each setting is <ssm_prefix>/<VARIABLE_NAME>."
  type        = string
  default     = "/analytics-bot"

  validation {
    condition     = can(regex("^(/[A-Za-z0-9_.-]+)+$", var.ssm_prefix)) && !can(regex("^/(aws|ssm)(/|$)", lower(var.ssm_prefix)))
    error_message = "ssm_prefix must be a path such as /analytics-bot (no trailing slash, not under /aws or /ssm)."
  }
}

variable "debug" {
  description = "DEBUG."
  type        = bool
  default     = false
}

variable "openai_base_url" {
  description = "OPENAI_BASE_URL: any OpenAI-compatible Chat Completions endpoint (reached through the NAT on port 443)."
  type        = string
  default     = "https://api.openai.com/v1"

  validation {
    condition     = startswith(var.openai_base_url, "https://")
    error_message = "openai_base_url must be an https:// URL (the app instances may only open port 443 to the internet)."
  }
}

variable "ai_model" {
  description = "AI_MODEL."
  type        = string
  default     = "gpt-4.1"
}

variable "logfire_service_name" {
  description = "LOGFIRE_SERVICE_NAME. Default: the name variable."
  type        = string
  default     = null
}

variable "logfire_environment" {
  description = "LOGFIRE_ENVIRONMENT. Default: the environment variable."
  type        = string
  default     = null
}

variable "query_timeout" {
  description = "QUERY_TIMEOUT: statement timeout for model-written SQL (a Go duration)."
  type        = string
  default     = "15s"

  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", var.query_timeout))
    error_message = "query_timeout must be a Go duration such as 15s or 1m30s."
  }
}

variable "max_result_rows" {
  description = "MAX_RESULT_ROWS."
  type        = number
  default     = 1000

  validation {
    condition     = var.max_result_rows >= 1 && floor(var.max_result_rows) == var.max_result_rows
    error_message = "max_result_rows must be a positive whole number."
  }
}

variable "export_max_rows" {
  description = "EXPORT_MAX_ROWS."
  type        = number
  default     = 1000000

  validation {
    condition     = var.export_max_rows >= 1 && floor(var.export_max_rows) == var.export_max_rows
    error_message = "export_max_rows must be a positive whole number."
  }
}

variable "export_max_bytes" {
  description = "EXPORT_MAX_BYTES: the largest CSV file an export writes (100MB, 512KB, 1GB)."
  type        = string
  default     = "100MB"

  validation {
    condition     = can(regex("^[0-9]+ ?(B|KB|MB|GB)?$", upper(var.export_max_bytes)))
    error_message = "export_max_bytes must be a size such as 100MB."
  }
}

variable "max_result_bytes" {
  description = "MAX_RESULT_BYTES: the bytes one query may return to the model (8MB)."
  type        = string
  default     = "8MB"

  validation {
    condition     = can(regex("^[0-9]+ ?(B|KB|MB|GB)?$", upper(var.max_result_bytes)))
    error_message = "max_result_bytes must be a size such as 8MB."
  }
}

variable "max_tool_calls_per_turn" {
  description = "MAX_TOOL_CALLS_PER_TURN: tool calls run from one model turn; the rest are refused."
  type        = number
  default     = 16
}

variable "max_exports_per_question" {
  description = "MAX_EXPORTS_PER_QUESTION: CSV files one question may post."
  type        = number
  default     = 3
}

variable "max_questions_per_user" {
  description = "MAX_QUESTIONS_PER_USER: one user's questions worked on at once; the rest wait."
  type        = number
  default     = 2
}

variable "allowed_channels" {
  description = "ALLOWED_CHANNELS: Slack channel IDs allowed to ask. Empty: everyone."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.allowed_channels : can(regex("^[A-Z0-9]+$", c))])
    error_message = "allowed_channels must be Slack IDs (upper-case letters and digits)."
  }
}

variable "allowed_users" {
  description = "ALLOWED_USERS: Slack user IDs allowed to ask. Empty: everyone."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.allowed_users : can(regex("^[A-Z0-9]+$", u))])
    error_message = "allowed_users must be Slack IDs (upper-case letters and digits)."
  }
}

variable "allowed_link_hosts" {
  description = "ALLOWED_LINK_HOSTS: hosts whose links in answers stay clickable. Empty: none."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for h in var.allowed_link_hosts : can(regex("^[a-z0-9.-]+$", h))])
    error_message = "allowed_link_hosts must be host names (lower-case letters, digits, dots and dashes)."
  }
}

variable "charts" {
  description = "CHARTS."
  type        = bool
  default     = true
}

variable "workers" {
  description = "WORKERS: questions one instance works on at once. Null (the default) leaves it unset, so the app derives it from its pool sizes (README, 120)."
  type        = number
  default     = null

  validation {
    condition     = var.workers == null ? true : (var.workers >= 1 && var.workers <= 1000 && floor(var.workers) == var.workers)
    error_message = "workers must be null or a whole number from 1 to 1000."
  }
}

# Secrets. Ephemeral and write-only: Terraform passes them to SSM (value_wo) and never stores
# them in state or plan files. Leave them null to set the parameters yourself with
# `aws ssm put-parameter --overwrite` (see deploy/README.md); Terraform never reverts that.

variable "openai_api_key" {
  description = "OPENAI_API_KEY. Written only when its secret_versions entry changes."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "slack_bot_token" {
  description = "SLACK_BOT_TOKEN (xoxb-...). Written only when its secret_versions entry changes."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "slack_signing_secret" {
  description = "SLACK_SIGNING_SECRET. Written only when its secret_versions entry changes."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "logfire_token" {
  description = "LOGFIRE_TOKEN (write token). Written only when its secret_versions entry changes."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "logfire_read_token" {
  description = "LOGFIRE_READ_TOKEN. Written only when its secret_versions entry changes."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "secret_versions" {
  description = "Per-secret version (default 1). Bump one entry, e.g. { SLACK_BOT_TOKEN = 2 }, to write that secret's variable to SSM again."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.secret_versions) : contains(["OPENAI_API_KEY", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "LOGFIRE_TOKEN", "LOGFIRE_READ_TOKEN"], k)])
    error_message = "secret_versions keys must be OPENAI_API_KEY, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, LOGFIRE_TOKEN or LOGFIRE_READ_TOKEN."
  }
}

# ---------------------------------------------------------------------------------------
# API Gateway, alarms
# ---------------------------------------------------------------------------------------

variable "api_throttling_rate_limit" {
  description = "Steady-state requests per second the HTTP API accepts (Slack's own rate is far lower)."
  type        = number
  default     = 50
}

variable "api_throttling_burst_limit" {
  description = "Burst of requests the HTTP API accepts."
  type        = number
  default     = 100
}

variable "log_retention_days" {
  description = "Retention of the API Gateway access log group."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "alarm_slack_email" {
  description = "Optional: a Slack channel's e-mail address (channel details > Integrations > Send emails to this channel) to receive alarms in Slack. Null: none."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_slack_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_slack_email))
    error_message = "alarm_slack_email must be an e-mail address."
  }
}
