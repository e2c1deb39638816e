# The app: `analytics-bot serve` under systemd on Amazon Linux 2023, in a private subnet, no
# public address, IMDSv2 only. The user data downloads the release (binary + unit file,
# checked against SHA256SUMS), runs `analytics-bot migrate` and starts the service.
#
# Its IAM role may read the parameters under ssm_prefix and decrypt them with their key
# (only through SSM, only for those parameters), and read the release objects when they
# live in S3. Nothing else: no managed policies, no wildcard actions.

locals {
  release_s3      = startswith(var.release_base_url, "s3://")
  release_s3_path = trimprefix(var.release_base_url, "s3://")

  app_policy_statements = concat(
    [
      {
        Sid    = "ReadSettings"
        Effect = "Allow"
        Action = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
        # The path itself is the resource of GetParametersByPath; the parameters are below it.
        Resource = [local.ssm_parameter_arn_prefix, "${local.ssm_parameter_arn_prefix}/*"]
      },
      {
        Sid      = "DecryptSettings"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.ssm.arn]
        Condition = {
          StringEquals = { "kms:ViaService" = "ssm.${var.aws_region}.amazonaws.com" }
          StringLike   = { "kms:EncryptionContext:PARAMETER_ARN" = "${local.ssm_parameter_arn_prefix}/*" }
        }
      },
    ],
    local.release_s3 ? [
      {
        Sid      = "ReadReleases"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["arn:${local.partition}:s3:::${local.release_s3_path}/*"]
      },
    ] : [],
  )
}

data "aws_ssm_parameter" "app_ami" {
  name = local.al2023_ami_parameter
}

resource "aws_iam_role" "app" {
  name        = "${local.name}-app"
  description = "analytics-bot app instances: read ${var.ssm_prefix}/* and nothing else"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "app" {
  name = "${local.name}-settings"
  role = aws_iam_role.app.id

  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.app_policy_statements
  })
}

resource "aws_iam_instance_profile" "app" {
  name = "${local.name}-app"
  role = aws_iam_role.app.name
}

resource "aws_instance" "app" {
  count = var.app_instance_count

  ami                         = data.aws_ssm_parameter.app_ami.insecure_value
  instance_type               = local.app_instance_type
  subnet_id                   = aws_subnet.private[count.index % 2].id
  vpc_security_group_ids      = [aws_security_group.ec2.id]
  associate_public_ip_address = false
  iam_instance_profile        = aws_iam_instance_profile.app.name
  key_name                    = var.ssh_key_name

  user_data = templatefile("${path.module}/templates/user-data.sh.tftpl", {
    release_base_url = var.release_base_url
    release_version  = var.release_version
    goarch           = local.app_goarch
    aws_region       = var.aws_region
    ssm_prefix       = var.ssm_prefix
  })
  # A new release_version means a new instance (immutable deploys; see the README).
  user_data_replace_on_change = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  maintenance_options {
    auto_recovery = "default"
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = 8
    encrypted             = true
    delete_on_termination = true
  }

  tags = { Name = "${local.name}-app-${count.index}" }

  lifecycle {
    # A replacement (new release, -replace) boots and registers in Cloud Map before the old
    # instance is deregistered and terminated.
    create_before_destroy = true
    # A newer Amazon Linux AMI must not silently replace a running instance; new instances
    # (a new release, or `terraform apply -replace`) pick it up.
    ignore_changes = [ami]
  }

  # The user data needs, at boot: a route out, its permissions, every parameter, the database.
  depends_on = [
    aws_route.private_nat_gateway,
    aws_route.private_nat_instance,
    aws_route_table_association.private,
    aws_iam_role_policy.app,
    aws_ssm_parameter.setting,
    aws_ssm_parameter.secret,
    aws_ssm_parameter.postgres_password,
    aws_ssm_parameter.postgres_readonly_password,
    aws_vpc_security_group_egress_rule.ec2_https,
    aws_vpc_security_group_egress_rule.ec2_postgres,
    aws_vpc_security_group_ingress_rule.rds_postgres_from_ec2,
  ]
}
