# Slack -> API Gateway HTTP API -> VPC link -> Cloud Map -> app instances on :8000.
#
# An HTTP API cannot target an EC2 instance directly: a private integration goes through a
# VPC link to an ALB, an NLB or an AWS Cloud Map service. We use Cloud Map:
#   - no load balancer to pay for (an ALB or NLB costs about $16-18/month before traffic,
#     a third of the whole bill); the VPC link for HTTP APIs is free, and Cloud Map charges
#     $0.10 per registered instance per month;
#   - API Gateway picks among the registered instances, so more app instances
#     (app_instance_count) need no other change;
#   - an HTTP namespace (API discovery only) needs no Route 53 hosted zone.
# The cost: no active health checks. An instance that is down still receives requests until
# it is replaced; Slack retries failed deliveries, and the StatusCheckFailed alarm fires.
#
# HTTP_PROXY passes the raw body and the X-Slack-* headers through unchanged, which the
# signature check needs. Only the three Slack routes exist; everything else gets API
# Gateway's 404 without reaching the instance.

locals {
  slack_routes = toset([
    "POST /slack/events",
    "POST /slack/interactions",
    "POST /slack/commands",
  ])
}

resource "aws_service_discovery_http_namespace" "this" {
  name        = local.name
  description = "analytics-bot app instances, discovered by API Gateway"
}

resource "aws_service_discovery_service" "app" {
  name         = "app"
  description  = "analytics-bot serve on port ${local.app_port}"
  namespace_id = aws_service_discovery_http_namespace.this.id
  type         = "HTTP"
}

resource "aws_service_discovery_instance" "app" {
  count = var.app_instance_count

  instance_id = aws_instance.app[count.index].id
  service_id  = aws_service_discovery_service.app.id

  attributes = {
    AWS_INSTANCE_IPV4 = aws_instance.app[count.index].private_ip
    AWS_INSTANCE_PORT = tostring(local.app_port)
  }
}

resource "aws_apigatewayv2_vpc_link" "this" {
  name               = local.name
  subnet_ids         = aws_subnet.private[*].id
  security_group_ids = [aws_security_group.vpc_link.id]
}

resource "aws_apigatewayv2_api" "this" {
  name          = local.name
  description   = "Slack Events API, interactivity and slash command endpoints of analytics-bot"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "app" {
  api_id             = aws_apigatewayv2_api.this.id
  description        = "analytics-bot instances through the VPC link"
  integration_type   = "HTTP_PROXY"
  integration_method = "ANY"
  integration_uri    = aws_service_discovery_service.app.arn
  connection_type    = "VPC_LINK"
  connection_id      = aws_apigatewayv2_vpc_link.this.id
  # Slack waits 3 s for the ack; the app answers in milliseconds or not at all.
  timeout_milliseconds = 10000

  # Forward the path exactly as Slack sent it (no stage prefix).
  request_parameters = {
    "overwrite:path" = "$request.path"
  }
}

resource "aws_apigatewayv2_route" "slack" {
  for_each = local.slack_routes

  api_id    = aws_apigatewayv2_api.this.id
  route_key = each.value
  target    = "integrations/${aws_apigatewayv2_integration.app.id}"
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${local.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.api_throttling_rate_limit
    throttling_burst_limit = var.api_throttling_burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      sourceIp           = "$context.identity.sourceIp"
      routeKey           = "$context.routeKey"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      latency            = "$context.responseLatency"
      integrationStatus  = "$context.integration.status"
      integrationLatency = "$context.integration.latency"
      integrationError   = "$context.integration.error"
    })
  }
}
