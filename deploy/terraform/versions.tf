terraform {
  # 1.10 brought ephemeral resources and variables, 1.11 the write-only arguments
  # (password_wo, value_wo) that keep every secret out of the state file.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # State holds no secret values (they only pass through write-only arguments), but keep it
  # remote and locked anyway; see deploy/README.md ("First deploy") for the S3 backend block.
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(
      {
        Project     = var.name
        Environment = var.environment
        ManagedBy   = "terraform"
      },
      var.tags,
    )
  }
}

# The generator of the database passwords (database.tf) has a provider configuration of its
# own, identical to the default one. The reason is testing: `terraform test` (1.11) cannot
# mock ephemeral resources, so the offline tests (tests/*.tftest.hcl) mock every resource of
# the default configuration and serve this one with the real provider schema.
provider "aws" {
  alias  = "passwords"
  region = var.aws_region
}
