# Alarms go to one SNS topic: e-mail subscribers, and optionally a Slack channel through its
# e-mail address. (An SNS topic encrypted with the AWS-managed key cannot receive CloudWatch
# alarms, and alarms carry no secrets, so the topic is left unencrypted.)
#
# Per app instance:
#   StatusCheckFailed >= 1 for 2 consecutive minutes (missing data counts: a stopped or
#     terminated instance alarms too). EC2 auto-recovery already handles host failures.
#   CPUUtilization > 80 % on average for 10 minutes (2 periods of 5 minutes).
# Also: the NAT instance's status checks (nat_mode = "instance") and RDS free storage.

resource "aws_sns_topic" "alarms" {
  name = "${local.name}-alarms"
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic_subscription" "slack" {
  count = var.alarm_slack_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_slack_email
}

resource "aws_cloudwatch_metric_alarm" "app_status_check" {
  count = var.app_instance_count

  alarm_name          = "${local.name}-app-${count.index}-status-check-failed"
  alarm_description   = "analytics-bot app instance ${count.index} fails its EC2 status checks (or is not running)."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  dimensions          = { InstanceId = aws_instance.app[count.index].id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "app_cpu_high" {
  count = var.app_instance_count

  alarm_name          = "${local.name}-app-${count.index}-cpu-high"
  alarm_description   = "analytics-bot app instance ${count.index}: CPU above 80% for 10 minutes."
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  dimensions          = { InstanceId = aws_instance.app[count.index].id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "nat_status_check" {
  count = local.nat_instance ? 1 : 0

  alarm_name          = "${local.name}-nat-status-check-failed"
  alarm_description   = "The NAT instance fails its status checks: the app cannot reach OpenAI, Slack or SSM."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  dimensions          = { InstanceId = aws_instance.nat[0].id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "db_free_storage" {
  alarm_name          = "${local.name}-db-free-storage-low"
  alarm_description   = "RDS has less than 2 GiB free (storage autoscaling may be at db_max_allocated_storage)."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = aws_db_instance.this.identifier }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 2 * 1024 * 1024 * 1024
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
