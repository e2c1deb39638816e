# The two NAT modes: a managed NAT gateway (default) or a Graviton NAT instance. Exactly one
# of them exists, and the private route table's default route points at it.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

provider "aws" {
  alias  = "passwords"
  region = "us-east-1"
}

variables {
  release_base_url = "https://github.com/analytics-bot/analytics-bot/releases/download"
  release_version  = "v1.0.0"
}

run "nat_gateway" {
  command = plan

  variables {
    nat_mode = "gateway"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_eip.nat) == 1 && aws_nat_gateway.this[0].subnet_id == aws_subnet.public.id
    error_message = "nat_mode = gateway must create one NAT gateway with an EIP in the public subnet."
  }

  assert {
    condition = (
      length(aws_instance.nat) == 0 && length(aws_security_group.nat) == 0 &&
      length(aws_route.private_nat_instance) == 0 && length(aws_cloudwatch_metric_alarm.nat_status_check) == 0
    )
    error_message = "nat_mode = gateway must not create a NAT instance or anything around it."
  }

  assert {
    condition = (
      length(aws_route.private_nat_gateway) == 1 &&
      aws_route.private_nat_gateway[0].route_table_id == aws_route_table.private.id &&
      aws_route.private_nat_gateway[0].destination_cidr_block == "0.0.0.0/0" &&
      aws_route.private_nat_gateway[0].nat_gateway_id == aws_nat_gateway.this[0].id
    )
    error_message = "The private default route must go to the NAT gateway."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.app.policy).Statement[*].Sid == ["ReadSettings", "DecryptSettings"]
    error_message = "With https releases the app role must not get any S3 permission."
  }
}

run "nat_instance" {
  command = plan

  variables {
    nat_mode = "instance"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 0 && length(aws_eip.nat) == 0 && length(aws_route.private_nat_gateway) == 0
    error_message = "nat_mode = instance must not create a NAT gateway (the point is saving its cost)."
  }

  assert {
    condition = (
      length(aws_instance.nat) == 1 &&
      aws_instance.nat[0].instance_type == "t4g.nano" &&
      endswith(data.aws_ssm_parameter.nat_ami[0].name, "-arm64") &&
      aws_instance.nat[0].subnet_id == aws_subnet.public.id &&
      aws_instance.nat[0].source_dest_check == false &&
      aws_instance.nat[0].associate_public_ip_address == true &&
      aws_instance.nat[0].metadata_options[0].http_tokens == "required" &&
      aws_instance.nat[0].root_block_device[0].encrypted == true
    )
    error_message = "The NAT instance must be a Graviton t4g.nano in the public subnet, forwarding, IMDSv2 only."
  }

  assert {
    condition = (
      length(aws_route.private_nat_instance) == 1 &&
      aws_route.private_nat_instance[0].route_table_id == aws_route_table.private.id &&
      aws_route.private_nat_instance[0].destination_cidr_block == "0.0.0.0/0" &&
      aws_route.private_nat_instance[0].network_interface_id == aws_instance.nat[0].primary_network_interface_id
    )
    error_message = "The private default route must go to the NAT instance's network interface."
  }

  assert {
    condition = (
      toset([for r in aws_vpc_security_group_ingress_rule.nat_https_from_private : r.cidr_ipv4]) == toset(["10.0.100.0/24", "10.0.101.0/24"]) &&
      alltrue([for r in aws_vpc_security_group_ingress_rule.nat_https_from_private : r.from_port == 443 && r.to_port == 443 && r.security_group_id == aws_security_group.nat[0].id]) &&
      aws_vpc_security_group_egress_rule.nat_https[0].from_port == 443 &&
      aws_vpc_security_group_egress_rule.nat_https[0].cidr_ipv4 == "0.0.0.0/0"
    )
    error_message = "The NAT instance may only take HTTPS from the private subnets and send HTTPS out."
  }

  assert {
    condition     = strcontains(aws_instance.nat[0].user_data, "MASQUERADE") && strcontains(aws_instance.nat[0].user_data, "VPC_CIDR='10.0.0.0/16'")
    error_message = "The NAT instance must masquerade the VPC's traffic."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.nat_status_check[0].dimensions.InstanceId == aws_instance.nat[0].id
    error_message = "The NAT instance's status checks must alarm."
  }

  # The app side does not change with the NAT mode.
  assert {
    condition     = aws_instance.app[0].associate_public_ip_address == false && aws_instance.app[0].metadata_options[0].http_tokens == "required"
    error_message = "The app instance must stay private and IMDSv2-only."
  }
}

run "nat_instance_must_be_graviton" {
  command = plan

  variables {
    nat_mode          = "instance"
    nat_instance_type = "t3.nano"
  }

  expect_failures = [var.nat_instance_type]
}

run "nat_mode_is_checked" {
  command = plan

  variables {
    nat_mode = "none"
  }

  expect_failures = [var.nat_mode]
}
