# The security groups of the design:
#   sg-ec2   in:  8000 from the API Gateway VPC link only, 22 from the bastion group only
#            out: 443 to the internet (through the NAT), 5432 to sg-rds
#   sg-rds   in:  5432 from sg-ec2 only;  out: nothing
# plus the groups on the other side of those rules (VPC link, bastion, NAT instance).
#
# Rules are separate aws_vpc_security_group_*_rule resources (one rule each, no inline
# blocks), and Terraform removes AWS's default allow-all egress rule from every group it
# creates, so a group without an egress rule below has no egress at all.
#
# AWS refuses group names that start with "sg-", hence "<name>-sg-ec2" and "<name>-sg-rds".

resource "aws_security_group" "ec2" {
  name        = "${local.name}-sg-ec2"
  description = "analytics-bot app: 8000 from the API Gateway VPC link, 22 from the bastion"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-sg-ec2" }
}

resource "aws_security_group" "rds" {
  name        = "${local.name}-sg-rds"
  description = "analytics-bot RDS: 5432 from sg-ec2 only, no egress"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-sg-rds" }
}

resource "aws_security_group" "vpc_link" {
  name        = "${local.name}-sg-vpclink"
  description = "API Gateway VPC link ENIs: may reach the app port of sg-ec2 only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-sg-vpclink" }
}

# Attach this group to a bastion host you launch in the public subnet when you need SSH
# (see deploy/README.md). Without such a host the group has no members and port 22 on the
# app is unreachable.
resource "aws_security_group" "bastion" {
  name        = "${local.name}-sg-bastion"
  description = "Bastion hosts: SSH in from bastion_ingress_cidrs, SSH out to sg-ec2"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-sg-bastion" }
}

# ---- sg-ec2 ---------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "ec2_app_from_vpc_link" {
  security_group_id            = aws_security_group.ec2.id
  description                  = "analytics-bot serve, from API Gateway (VPC link) only"
  ip_protocol                  = "tcp"
  from_port                    = local.app_port
  to_port                      = local.app_port
  referenced_security_group_id = aws_security_group.vpc_link.id
}

resource "aws_vpc_security_group_ingress_rule" "ec2_ssh_from_bastion" {
  security_group_id            = aws_security_group.ec2.id
  description                  = "SSH from the bastion group only"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.bastion.id
}

resource "aws_vpc_security_group_egress_rule" "ec2_https" {
  security_group_id = aws_security_group.ec2.id
  description       = "HTTPS to OpenAI, Slack, Logfire, SSM and S3 (through the NAT / S3 endpoint)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "ec2_postgres" {
  security_group_id            = aws_security_group.ec2.id
  description                  = "PostgreSQL on RDS"
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
  referenced_security_group_id = aws_security_group.rds.id
}

# ---- sg-rds (ingress only) ------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "rds_postgres_from_ec2" {
  security_group_id            = aws_security_group.rds.id
  description                  = "PostgreSQL from the app instances only"
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
  referenced_security_group_id = aws_security_group.ec2.id
}

# ---- VPC link -------------------------------------------------------------------------

resource "aws_vpc_security_group_egress_rule" "vpc_link_to_app" {
  security_group_id            = aws_security_group.vpc_link.id
  description                  = "Forward API requests to the app port"
  ip_protocol                  = "tcp"
  from_port                    = local.app_port
  to_port                      = local.app_port
  referenced_security_group_id = aws_security_group.ec2.id
}

# ---- bastion --------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "bastion_ssh" {
  for_each = toset(var.bastion_ingress_cidrs)

  security_group_id = aws_security_group.bastion.id
  description       = "SSH to the bastion"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "bastion_ssh_to_app" {
  security_group_id            = aws_security_group.bastion.id
  description                  = "SSH to the app instances"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.ec2.id
}

# ---- NAT instance (nat_mode = "instance") ---------------------------------------------

resource "aws_security_group" "nat" {
  count = local.nat_instance ? 1 : 0

  name        = "${local.name}-sg-nat"
  description = "NAT instance: HTTPS from the private subnets, HTTPS out"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-sg-nat" }
}

resource "aws_vpc_security_group_ingress_rule" "nat_https_from_private" {
  for_each = local.nat_instance ? toset(var.private_subnet_cidrs) : toset([])

  security_group_id = aws_security_group.nat[0].id
  description       = "HTTPS to be forwarded, from a private subnet"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "nat_https" {
  count = local.nat_instance ? 1 : 0

  security_group_id = aws_security_group.nat[0].id
  description       = "HTTPS to the internet (forwarded traffic and the instance's own package installs)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
