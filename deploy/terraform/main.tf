# Values shared by several files. Each file holds one part of the design:
#   network.tf          VPC, subnets, internet gateway, NAT (gateway or instance), S3 endpoint
#   security_groups.tf  sg-ec2, sg-rds and the groups that may reach them
#   compute.tf          the app instances, their IAM role and user data
#   database.tf         RDS PostgreSQL and its generated master password
#   api.tf              API Gateway HTTP API -> VPC link -> Cloud Map -> instances
#   secrets.tf          the KMS key and one SSM SecureString parameter per setting
#   alarms.tf           SNS topic and CloudWatch alarms

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_availability_zones" "available" {
  state = "available"

  # Local and Wavelength zones cannot host RDS subnets.
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  name       = var.name
  is_prod    = var.environment == "prod"
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id

  # RDS needs subnets in two availability zones; the app and the NAT live in the first.
  azs = slice(data.aws_availability_zones.available.names, 0, 2)

  # The port `analytics-bot serve` listens on (PORT) and the only port the VPC link may reach.
  app_port = 8000
  # PostgreSQL's port, the only port sg-rds admits.
  db_port = 5432

  nat_gateway  = var.nat_mode == "gateway"
  nat_instance = var.nat_mode == "instance"

  app_goarch        = var.app_architecture == "arm64" ? "arm64" : "amd64"
  app_instance_type = coalesce(var.app_instance_type, var.app_architecture == "arm64" ? "t4g.micro" : "t3.micro")

  # Amazon Linux 2023, latest, published by AWS as public SSM parameters.
  al2023_ami_parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${var.app_architecture}"
  nat_ami_parameter    = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
}
