# Options that change the shape of the deployment but never its security properties.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

provider "aws" {
  alias  = "passwords"
  region = "us-east-1"
}

variables {
  release_base_url = "s3://rel-bucket/analytics-bot"
  release_version  = "v1.0.0"
}

run "two_instances" {
  command = plan

  variables {
    app_instance_count = 2
  }

  assert {
    condition = (
      length(aws_instance.app) == 2 &&
      aws_instance.app[1].subnet_id == aws_subnet.private[1].id &&
      length(aws_service_discovery_instance.app) == 2 &&
      length(aws_cloudwatch_metric_alarm.app_status_check) == 2 &&
      length(aws_cloudwatch_metric_alarm.app_cpu_high) == 2
    )
    error_message = "Each app instance must be registered in Cloud Map and have its own alarms."
  }
}

run "dev_environment" {
  command = plan

  variables {
    environment = "dev"
  }

  assert {
    condition     = aws_db_instance.this.deletion_protection == false && aws_db_instance.this.skip_final_snapshot == true
    error_message = "Outside prod the database may be destroyed without a snapshot."
  }

  assert {
    condition     = aws_db_instance.this.storage_encrypted == true && aws_db_instance.this.publicly_accessible == false && aws_db_instance.this.backup_retention_period >= 1
    error_message = "Outside prod the database stays encrypted, private and backed up."
  }
}

run "backups_cannot_be_turned_off" {
  command = plan

  variables {
    db_backup_retention_days = 0
  }

  expect_failures = [var.db_backup_retention_days]
}

run "slack_alarm_channel" {
  command = plan

  variables {
    alarm_slack_email = "alerts-aaaabbbbccccdddd@example.slack.com"
  }

  assert {
    condition     = aws_sns_topic_subscription.slack[0].protocol == "email" && aws_sns_topic_subscription.slack[0].endpoint == "alerts-aaaabbbbccccdddd@example.slack.com"
    error_message = "alarm_slack_email must subscribe the Slack channel's address to the alarm topic."
  }
}

run "custom_prefix" {
  command = plan

  variables {
    ssm_prefix = "/analytics-bot-staging"
  }

  assert {
    condition = (
      aws_ssm_parameter.postgres_password.name == "/analytics-bot-staging/postgres-password" &&
      strcontains(aws_instance.app[0].user_data, "SSM_PREFIX='/analytics-bot-staging'") &&
      jsondecode(aws_iam_role_policy.app.policy).Statement[0].Resource == [
        "arn:aws:ssm:us-east-1:123456789012:parameter/analytics-bot-staging",
        "arn:aws:ssm:us-east-1:123456789012:parameter/analytics-bot-staging/*",
      ]
    )
    error_message = "ssm_prefix must move the parameters, the service's SSM_PREFIX and the role's scope together."
  }
}
