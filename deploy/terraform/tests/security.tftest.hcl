# Security properties of the default deployment (NAT gateway, x86_64, prod), asserted on
# the planned values. Offline: every resource is mocked (tests/mocks), except the ephemeral
# password generator, which mock providers cannot serve (see versions.tf).

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
  alarm_emails     = ["oncall@example.com"]
}

run "security_groups" {
  command = plan

  # sg-ec2: 8000 from the VPC link's group only, 22 from the bastion's group only.
  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.ec2_app_from_vpc_link.security_group_id == aws_security_group.ec2.id &&
      aws_vpc_security_group_ingress_rule.ec2_app_from_vpc_link.ip_protocol == "tcp" &&
      aws_vpc_security_group_ingress_rule.ec2_app_from_vpc_link.from_port == 8000 &&
      aws_vpc_security_group_ingress_rule.ec2_app_from_vpc_link.to_port == 8000 &&
      aws_vpc_security_group_ingress_rule.ec2_app_from_vpc_link.referenced_security_group_id == aws_security_group.vpc_link.id &&
      aws_vpc_security_group_ingress_rule.ec2_app_from_vpc_link.cidr_ipv4 == null &&
      aws_vpc_security_group_ingress_rule.ec2_app_from_vpc_link.cidr_ipv6 == null
    )
    error_message = "sg-ec2 must admit tcp/8000 from the VPC link security group only."
  }

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.ec2_ssh_from_bastion.security_group_id == aws_security_group.ec2.id &&
      aws_vpc_security_group_ingress_rule.ec2_ssh_from_bastion.ip_protocol == "tcp" &&
      aws_vpc_security_group_ingress_rule.ec2_ssh_from_bastion.from_port == 22 &&
      aws_vpc_security_group_ingress_rule.ec2_ssh_from_bastion.to_port == 22 &&
      aws_vpc_security_group_ingress_rule.ec2_ssh_from_bastion.referenced_security_group_id == aws_security_group.bastion.id &&
      aws_vpc_security_group_ingress_rule.ec2_ssh_from_bastion.cidr_ipv4 == null
    )
    error_message = "sg-ec2 must admit tcp/22 from the bastion security group only."
  }

  # sg-rds: 5432 from sg-ec2, and no egress rule at all.
  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.rds_postgres_from_ec2.security_group_id == aws_security_group.rds.id &&
      aws_vpc_security_group_ingress_rule.rds_postgres_from_ec2.ip_protocol == "tcp" &&
      aws_vpc_security_group_ingress_rule.rds_postgres_from_ec2.from_port == 5432 &&
      aws_vpc_security_group_ingress_rule.rds_postgres_from_ec2.to_port == 5432 &&
      aws_vpc_security_group_ingress_rule.rds_postgres_from_ec2.referenced_security_group_id == aws_security_group.ec2.id &&
      aws_vpc_security_group_ingress_rule.rds_postgres_from_ec2.cidr_ipv4 == null
    )
    error_message = "sg-rds must admit tcp/5432 from sg-ec2 only."
  }

  assert {
    condition = length([
      for r in [
        aws_vpc_security_group_egress_rule.ec2_https,
        aws_vpc_security_group_egress_rule.ec2_postgres,
        aws_vpc_security_group_egress_rule.vpc_link_to_app,
        aws_vpc_security_group_egress_rule.bastion_ssh_to_app,
      ] : r if r.security_group_id == aws_security_group.rds.id
    ]) == 0
    error_message = "sg-rds must have no egress rule."
  }

  # sg-ec2 out: 443 anywhere (through the NAT), 5432 to sg-rds.
  assert {
    condition = (
      aws_vpc_security_group_egress_rule.ec2_https.security_group_id == aws_security_group.ec2.id &&
      aws_vpc_security_group_egress_rule.ec2_https.from_port == 443 &&
      aws_vpc_security_group_egress_rule.ec2_https.to_port == 443 &&
      aws_vpc_security_group_egress_rule.ec2_https.cidr_ipv4 == "0.0.0.0/0" &&
      aws_vpc_security_group_egress_rule.ec2_postgres.security_group_id == aws_security_group.ec2.id &&
      aws_vpc_security_group_egress_rule.ec2_postgres.from_port == 5432 &&
      aws_vpc_security_group_egress_rule.ec2_postgres.referenced_security_group_id == aws_security_group.rds.id
    )
    error_message = "sg-ec2 egress must be tcp/443 to the internet and tcp/5432 to sg-rds."
  }

  assert {
    condition = (
      aws_vpc_security_group_egress_rule.vpc_link_to_app.security_group_id == aws_security_group.vpc_link.id &&
      aws_vpc_security_group_egress_rule.vpc_link_to_app.from_port == 8000 &&
      aws_vpc_security_group_egress_rule.vpc_link_to_app.to_port == 8000 &&
      aws_vpc_security_group_egress_rule.vpc_link_to_app.referenced_security_group_id == aws_security_group.ec2.id
    )
    error_message = "The VPC link may only reach sg-ec2 on 8000."
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.bastion_ssh) == 0
    error_message = "Without bastion_ingress_cidrs nobody may reach the bastion group."
  }
}

run "database" {
  command = plan

  assert {
    condition     = aws_db_instance.this.publicly_accessible == false && aws_db_instance.this.storage_encrypted == true
    error_message = "RDS must be private and encrypted."
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period >= 1
    error_message = "RDS automated backups must be on."
  }

  assert {
    condition     = aws_db_instance.this.deletion_protection == true && aws_db_instance.this.skip_final_snapshot == false
    error_message = "In prod RDS must have deletion protection and take a final snapshot."
  }

  assert {
    condition     = aws_db_instance.this.password == null && aws_db_instance.this.password_wo == null && aws_db_instance.this.password_wo_version == 1
    error_message = "The master password must only pass through password_wo (never stored in the plan)."
  }

  assert {
    condition     = toset(aws_db_instance.this.vpc_security_group_ids) == toset([aws_security_group.rds.id])
    error_message = "RDS must carry sg-rds only."
  }

  assert {
    condition     = toset(aws_db_subnet_group.this.subnet_ids) == toset([aws_subnet.private[0].id, aws_subnet.private[1].id])
    error_message = "RDS must live in the two private subnets."
  }

  assert {
    condition     = aws_subnet.private[0].availability_zone != aws_subnet.private[1].availability_zone
    error_message = "The private subnets must be in two availability zones."
  }

  assert {
    condition     = aws_subnet.private[0].cidr_block == "10.0.100.0/24" && aws_subnet.public.cidr_block == "10.0.1.0/24"
    error_message = "The app subnet is 10.0.100.0/24, the public subnet 10.0.1.0/24."
  }
}

run "app_instance" {
  command = plan

  assert {
    condition     = aws_instance.app[0].associate_public_ip_address == false
    error_message = "The app instance must not have a public IP."
  }

  assert {
    condition     = aws_instance.app[0].metadata_options[0].http_tokens == "required" && aws_instance.app[0].metadata_options[0].http_put_response_hop_limit == 1
    error_message = "The app instance must require IMDSv2 (hop limit 1)."
  }

  assert {
    condition     = aws_instance.app[0].subnet_id == aws_subnet.private[0].id && toset(aws_instance.app[0].vpc_security_group_ids) == toset([aws_security_group.ec2.id])
    error_message = "The app instance must run in the private subnet with sg-ec2 only."
  }

  assert {
    condition     = aws_instance.app[0].root_block_device[0].encrypted == true
    error_message = "The app instance's root volume must be encrypted."
  }

  assert {
    condition     = aws_instance.app[0].instance_type == "t3.micro"
    error_message = "The default app instance is a t3.micro."
  }

  assert {
    condition = alltrue([
      for s in [
        "analytics-bot migrate",
        "systemctl enable --now",
        "sha256sum --check",
        "RELEASE_BASE_URL='s3://rel-bucket/analytics-bot'",
        "RELEASE_VERSION='v1.0.0'",
        "GOARCH='amd64'",
        "SSM_PREFIX='/analytics-bot'",
      ] : strcontains(aws_instance.app[0].user_data, s)
    ])
    error_message = "The user data must install the amd64 release, migrate and start the service."
  }
}

run "ssm_parameters" {
  command = plan

  assert {
    condition = toset(concat(
      [for p in aws_ssm_parameter.setting : p.name],
      [for p in aws_ssm_parameter.secret : p.name],
      [aws_ssm_parameter.postgres_password.name, aws_ssm_parameter.postgres_readonly_password.name],
      )) == toset([for v in [
        "project-name", "debug", "environment", "PORT",
        "postgres-host", "postgres-port", "postgres-user", "postgres-password", "postgres-db",
        "POSTGRES_READONLY_USER", "POSTGRES_READONLY_PASSWORD",
        "openai-key", "OPENAI_BASE_URL", "ai-model",
        "slack-token", "slack-secret",
        "logfire-token", "logfire-read-token", "logfire-service", "logfire-env",
        "QUERY_TIMEOUT", "MAX_RESULT_ROWS", "EXPORT_MAX_ROWS",
        "ALLOWED_CHANNELS", "ALLOWED_USERS", "ALLOWED_LINK_HOSTS", "CHARTS", "WORKERS",
        "EXPORT_MAX_BYTES", "MAX_RESULT_BYTES", "MAX_TOOL_CALLS_PER_TURN", "MAX_EXPORTS_PER_QUESTION", "MAX_QUESTIONS_PER_USER",
    ] : "/analytics-bot/${v}"])
    error_message = "Every configuration variable must have exactly one parameter under /analytics-bot/, under the design's name where it gives one."
  }

  assert {
    condition = alltrue(concat(
      [for p in aws_ssm_parameter.setting : p.type == "SecureString" && p.key_id == aws_kms_key.ssm.arn],
      [for p in aws_ssm_parameter.secret : p.type == "SecureString" && p.key_id == aws_kms_key.ssm.arn],
      [for p in [aws_ssm_parameter.postgres_password, aws_ssm_parameter.postgres_readonly_password] : p.type == "SecureString" && p.key_id == aws_kms_key.ssm.arn],
    ))
    error_message = "Every parameter must be a SecureString encrypted with the deployment's key."
  }

  assert {
    condition = alltrue(concat(
      [for p in aws_ssm_parameter.secret : p.value_wo == null && p.value_wo_version == 1],
      [aws_ssm_parameter.postgres_password.value_wo == null, aws_ssm_parameter.postgres_readonly_password.value_wo == null],
    ))
    error_message = "Secrets must only pass through value_wo."
  }

  assert {
    condition     = aws_ssm_parameter.setting["POSTGRES_HOST"].value == aws_db_instance.this.address && aws_ssm_parameter.setting["PORT"].value == "8000"
    error_message = "POSTGRES_HOST must be the RDS address and PORT 8000."
  }
}

run "iam" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role_policy.app.policy).Statement == [
      {
        Sid      = "ReadSettings"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
        Resource = ["arn:aws:ssm:us-east-1:123456789012:parameter/analytics-bot", "arn:aws:ssm:us-east-1:123456789012:parameter/analytics-bot/*"]
      },
      {
        Sid      = "DecryptSettings"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.ssm.arn]
        Condition = {
          StringEquals = { "kms:ViaService" = "ssm.us-east-1.amazonaws.com" }
          StringLike   = { "kms:EncryptionContext:PARAMETER_ARN" = "arn:aws:ssm:us-east-1:123456789012:parameter/analytics-bot/*" }
        }
      },
      {
        Sid      = "ReadReleases"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["arn:aws:s3:::rel-bucket/analytics-bot/*"]
      },
    ]
    error_message = "The app role may only read /analytics-bot/*, decrypt it through SSM, and read the releases."
  }

  assert {
    condition     = strcontains(aws_iam_role.app.assume_role_policy, "ec2.amazonaws.com")
    error_message = "Only EC2 may assume the app role."
  }
}

run "alarms" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.app_status_check[0].metric_name == "StatusCheckFailed" &&
      aws_cloudwatch_metric_alarm.app_status_check[0].namespace == "AWS/EC2" &&
      aws_cloudwatch_metric_alarm.app_status_check[0].comparison_operator == "GreaterThanOrEqualToThreshold" &&
      aws_cloudwatch_metric_alarm.app_status_check[0].threshold == 1 &&
      aws_cloudwatch_metric_alarm.app_status_check[0].dimensions.InstanceId == aws_instance.app[0].id &&
      contains(tolist(aws_cloudwatch_metric_alarm.app_status_check[0].alarm_actions), aws_sns_topic.alarms.arn)
    )
    error_message = "StatusCheckFailed of the app instance must alarm to SNS."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.app_cpu_high[0].metric_name == "CPUUtilization" &&
      aws_cloudwatch_metric_alarm.app_cpu_high[0].statistic == "Average" &&
      aws_cloudwatch_metric_alarm.app_cpu_high[0].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.app_cpu_high[0].threshold == 80 &&
      aws_cloudwatch_metric_alarm.app_cpu_high[0].period * aws_cloudwatch_metric_alarm.app_cpu_high[0].evaluation_periods == 600 &&
      aws_cloudwatch_metric_alarm.app_cpu_high[0].dimensions.InstanceId == aws_instance.app[0].id &&
      contains(tolist(aws_cloudwatch_metric_alarm.app_cpu_high[0].alarm_actions), aws_sns_topic.alarms.arn)
    )
    error_message = "CPU above 80% for 10 minutes must alarm to SNS."
  }

  assert {
    condition     = aws_sns_topic_subscription.email["oncall@example.com"].protocol == "email" && length(aws_sns_topic_subscription.slack) == 0
    error_message = "alarm_emails must be subscribed by e-mail; no Slack subscription unless asked."
  }
}

run "api" {
  command = plan

  assert {
    condition = (
      aws_apigatewayv2_integration.app.connection_type == "VPC_LINK" &&
      aws_apigatewayv2_integration.app.connection_id == aws_apigatewayv2_vpc_link.this.id &&
      aws_apigatewayv2_integration.app.integration_uri == aws_service_discovery_service.app.arn &&
      aws_apigatewayv2_integration.app.integration_type == "HTTP_PROXY"
    )
    error_message = "The HTTP API must reach the instances through the VPC link and Cloud Map."
  }

  assert {
    condition     = toset(keys(aws_apigatewayv2_route.slack)) == toset(["POST /slack/events", "POST /slack/interactions", "POST /slack/commands"])
    error_message = "Only the three Slack routes may be exposed."
  }

  assert {
    condition = (
      aws_service_discovery_instance.app[0].attributes.AWS_INSTANCE_IPV4 == aws_instance.app[0].private_ip &&
      aws_service_discovery_instance.app[0].attributes.AWS_INSTANCE_PORT == "8000"
    )
    error_message = "The instance must be registered in Cloud Map on port 8000."
  }

  assert {
    condition     = output.slack_request_url == "https://api0000001.execute-api.us-east-1.amazonaws.com/slack/events"
    error_message = "slack_request_url must be the API endpoint + /slack/events."
  }

  assert {
    condition = (
      output.bot_base_url == "https://api0000001.execute-api.us-east-1.amazonaws.com" &&
      output.slack_interactivity_url == "https://api0000001.execute-api.us-east-1.amazonaws.com/slack/interactions" &&
      output.slack_slash_command_url == "https://api0000001.execute-api.us-east-1.amazonaws.com/slack/commands"
    )
    error_message = "Every URL of the Slack app manifest needs an output: the base URL (for YOUR-HOST, no path) and one per route."
  }
}
