# One VPC: a public subnet for the NAT, two private subnets (app + RDS; RDS needs two zones).
# Nothing in the private subnets has a public address; the only way in is API Gateway's VPC
# link, the only way out is the NAT (port 443 only, see security_groups.tf).

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = local.name }
}

# The VPC's default security group would let anything attached to it talk to anything else
# attached to it. Managing it with no rules empties it.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${local.name}-default-unused" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = local.name }
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = var.public_subnet_cidr
  availability_zone       = local.azs[0]
  map_public_ip_on_launch = false

  tags = { Name = "${local.name}-public" }
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id                  = aws_vpc.this.id
  cidr_block              = var.private_subnet_cidrs[count.index]
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = { Name = "${local.name}-private-${count.index}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${local.name}-public" }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${local.name}-private" }
}

resource "aws_route_table_association" "private" {
  count = 2

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

# S3 through a gateway endpoint: free, and the release download and the Amazon Linux
# package mirrors (which are S3 buckets) then bypass the NAT's per-GB charge.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${var.aws_region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]

  tags = { Name = "${local.name}-s3" }
}

# ---------------------------------------------------------------------------------------
# nat_mode = "gateway": a managed NAT gateway (about $33/month + $0.045/GB), highly available
# within its zone, nothing to patch.
# ---------------------------------------------------------------------------------------

resource "aws_eip" "nat" {
  count = local.nat_gateway ? 1 : 0

  domain = "vpc"

  tags = { Name = "${local.name}-nat" }
}

resource "aws_nat_gateway" "this" {
  count = local.nat_gateway ? 1 : 0

  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public.id

  tags = { Name = local.name }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route" "private_nat_gateway" {
  count = local.nat_gateway ? 1 : 0

  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[0].id
}

# ---------------------------------------------------------------------------------------
# nat_mode = "instance": a t4g.nano running iptables masquerade (about $7/month with its
# public IPv4 address). A single instance: if it fails, EC2 auto-recovery restarts it and
# the app's outbound calls fail until then (incoming Slack events are still queued).
# ---------------------------------------------------------------------------------------

data "aws_ssm_parameter" "nat_ami" {
  count = local.nat_instance ? 1 : 0

  name = local.nat_ami_parameter
}

resource "aws_instance" "nat" {
  count = local.nat_instance ? 1 : 0

  ami                         = data.aws_ssm_parameter.nat_ami[0].insecure_value
  instance_type               = var.nat_instance_type
  subnet_id                   = aws_subnet.public.id
  vpc_security_group_ids      = [aws_security_group.nat[0].id]
  associate_public_ip_address = true
  # Forwarding other hosts' packets is the whole point of a NAT instance.
  source_dest_check = false

  user_data = templatefile("${path.module}/templates/nat-instance.sh.tftpl", {
    vpc_cidr = var.vpc_cidr
  })
  user_data_replace_on_change = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  maintenance_options {
    auto_recovery = "default"
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = 8
    encrypted   = true
  }

  tags = { Name = "${local.name}-nat" }

  lifecycle {
    # A newer AMI must not silently replace the NAT; replace it deliberately (README).
    ignore_changes = [ami]
  }

  depends_on = [aws_route.public_internet, aws_route_table_association.public]
}

resource "aws_route" "private_nat_instance" {
  count = local.nat_instance ? 1 : 0

  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  network_interface_id   = aws_instance.nat[0].primary_network_interface_id
}
