# One output per URL the Slack app manifest (deploy/slack-app-manifest.yaml) needs, each
# complete: paste it as it is, never after YOUR-HOST (that would double the path).
output "bot_base_url" {
  description = "The bot's public base URL (https://…, no path): replace https://YOUR-HOST in the Slack app manifest with it."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "slack_request_url" {
  description = "Request URL for Slack's Event Subscriptions (POST /slack/events)."
  value       = "${aws_apigatewayv2_api.this.api_endpoint}/slack/events"
}

output "slack_interactivity_url" {
  description = "Request URL for Slack's Interactivity & Shortcuts (POST /slack/interactions)."
  value       = "${aws_apigatewayv2_api.this.api_endpoint}/slack/interactions"
}

output "slack_slash_command_url" {
  description = "Request URL of the /analytics slash command (POST /slack/commands)."
  value       = "${aws_apigatewayv2_api.this.api_endpoint}/slack/commands"
}

output "rds_endpoint" {
  description = "RDS endpoint (host:port), reachable from the app instances only. The password is in SSM, never here."
  value       = aws_db_instance.this.endpoint
}

output "sns_topic_arn" {
  description = "SNS topic that receives the CloudWatch alarms; subscribe more endpoints to it."
  value       = aws_sns_topic.alarms.arn
}

output "ssm_prefix" {
  description = "SSM path of the settings; the service runs with SSM_PREFIX set to it."
  value       = var.ssm_prefix
}

output "ssm_secret_parameters" {
  description = "Secret parameters to fill in with `aws ssm put-parameter --overwrite` (unless passed as variables)."
  value       = sort([for p in aws_ssm_parameter.secret : p.name])
}

output "ssm_kms_key_arn" {
  description = "KMS key of the SecureString parameters (use it with put-parameter --key-id)."
  value       = aws_kms_key.ssm.arn
}

output "app_instance_ids" {
  description = "IDs of the app instances."
  value       = aws_instance.app[*].id
}

output "app_private_ips" {
  description = "Private IPs of the app instances (SSH through the bastion)."
  value       = aws_instance.app[*].private_ip
}

output "bastion_security_group_id" {
  description = "Attach this group to a bastion host in the public subnet to SSH into the app."
  value       = aws_security_group.bastion.id
}

output "public_subnet_id" {
  description = "Public subnet (for a bastion host)."
  value       = aws_subnet.public.id
}

output "nat_mode" {
  description = "How the private subnets reach the internet."
  value       = var.nat_mode
}
