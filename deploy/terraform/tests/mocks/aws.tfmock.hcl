# Fixed values for the plan-only tests: the mock provider would otherwise leave computed
# attributes unknown (or random) during a plan, and the assertions compare them.

mock_data "aws_availability_zones" {
  defaults = {
    names = ["us-east-1a", "us-east-1b", "us-east-1c"]
  }
}

mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
  }
}

mock_data "aws_ssm_parameter" {
  defaults = {
    insecure_value = "ami-0123456789abcdef0"
  }
}

override_resource {
  target = aws_security_group.ec2
  values = { id = "sg-000000000000000e2" }
}

override_resource {
  target = aws_security_group.rds
  values = { id = "sg-0000000000000000d" }
}

override_resource {
  target = aws_security_group.vpc_link
  values = { id = "sg-00000000000000011" }
}

override_resource {
  target = aws_security_group.bastion
  values = { id = "sg-000000000000000b5" }
}

override_resource {
  target = aws_security_group.nat
  values = { id = "sg-0000000000000a001" }
}

override_resource {
  target = aws_subnet.public
  values = { id = "subnet-00000000000000001" }
}

override_resource {
  target = aws_subnet.private[0]
  values = { id = "subnet-00000000000000100" }
}

override_resource {
  target = aws_subnet.private[1]
  values = { id = "subnet-00000000000000101" }
}

override_resource {
  target = aws_route_table.private
  values = { id = "rtb-00000000000000100" }
}

override_resource {
  target = aws_kms_key.ssm
  values = {
    arn    = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000001"
    key_id = "00000000-0000-0000-0000-000000000001"
  }
}

override_resource {
  target = aws_sns_topic.alarms
  values = { arn = "arn:aws:sns:us-east-1:123456789012:analytics-bot-alarms" }
}

override_resource {
  target = aws_nat_gateway.this
  values = { id = "nat-00000000000000001" }
}

override_resource {
  target = aws_instance.nat
  values = {
    id                           = "i-0000000000000a001"
    primary_network_interface_id = "eni-0000000000000a001"
  }
}

override_resource {
  target = aws_instance.app
  values = {
    id         = "i-00000000000000001"
    private_ip = "10.0.100.10"
  }
}

override_resource {
  target = aws_service_discovery_service.app
  values = { arn = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-0000000000000001" }
}

override_resource {
  target = aws_apigatewayv2_vpc_link.this
  values = { id = "vpclink1" }
}

override_resource {
  target = aws_apigatewayv2_api.this
  values = {
    id           = "api0000001"
    api_endpoint = "https://api0000001.execute-api.us-east-1.amazonaws.com"
  }
}

override_resource {
  target = aws_db_instance.this
  values = {
    address  = "analytics-bot.abcdefghijkl.us-east-1.rds.amazonaws.com"
    endpoint = "analytics-bot.abcdefghijkl.us-east-1.rds.amazonaws.com:5432"
  }
}
