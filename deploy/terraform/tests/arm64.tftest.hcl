# The app on Graviton (t4g) instead of x86 (t3): AMI, instance type and release binary
# follow app_architecture; the security properties do not change.

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

run "x86_64_default" {
  command = plan

  assert {
    condition = (
      aws_instance.app[0].instance_type == "t3.micro" &&
      data.aws_ssm_parameter.app_ami.name == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64" &&
      strcontains(aws_instance.app[0].user_data, "GOARCH='amd64'")
    )
    error_message = "x86_64 must run a t3.micro with the x86_64 AMI and the amd64 binary."
  }
}

run "arm64" {
  command = plan

  variables {
    app_architecture = "arm64"
    nat_mode         = "instance"
  }

  assert {
    condition = (
      aws_instance.app[0].instance_type == "t4g.micro" &&
      data.aws_ssm_parameter.app_ami.name == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" &&
      strcontains(aws_instance.app[0].user_data, "GOARCH='arm64'")
    )
    error_message = "arm64 must run a t4g.micro with the arm64 AMI and the arm64 binary."
  }

  assert {
    condition = (
      aws_instance.app[0].associate_public_ip_address == false &&
      aws_instance.app[0].metadata_options[0].http_tokens == "required" &&
      aws_instance.app[0].root_block_device[0].encrypted == true &&
      toset(aws_instance.app[0].vpc_security_group_ids) == toset([aws_security_group.ec2.id])
    )
    error_message = "The arm64 app instance must keep the same security properties."
  }
}

run "arm64_bigger_instance" {
  command = plan

  variables {
    app_architecture  = "arm64"
    app_instance_type = "t4g.small"
  }

  assert {
    condition     = aws_instance.app[0].instance_type == "t4g.small"
    error_message = "app_instance_type must override the default."
  }
}

run "arm64_rejects_x86_type" {
  command = plan

  variables {
    app_architecture  = "arm64"
    app_instance_type = "t3.micro"
  }

  expect_failures = [var.app_instance_type]
}

run "x86_rejects_graviton_type" {
  command = plan

  variables {
    app_instance_type = "t4g.micro"
  }

  expect_failures = [var.app_instance_type]
}
