# Database-side limits a runaway statement cannot lift (issue 14): the parameter group sets
# temp_file_limit (in kB) for every session, and the instance uses that group.

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
  alarm_emails     = ["oncall@example.com"]
}

run "temp_file_limit" {
  command = plan

  assert {
    condition     = one([for p in aws_db_parameter_group.this.parameter : p.value if p.name == "temp_file_limit"]) == "1048576"
    error_message = "the parameter group must set temp_file_limit to 1 GB (1048576 kB) by default."
  }

  assert {
    condition     = aws_db_parameter_group.this.family == "postgres17"
    error_message = "the parameter group's family must follow db_engine_version's major version."
  }

  assert {
    condition     = aws_db_instance.this.parameter_group_name == aws_db_parameter_group.this.name
    error_message = "the instance must use the parameter group."
  }
}

run "temp_file_limit_setting" {
  command = plan

  variables {
    db_temp_file_limit_mb = 256
    db_engine_version     = "15.8"
  }

  assert {
    condition     = one([for p in aws_db_parameter_group.this.parameter : p.value if p.name == "temp_file_limit"]) == "262144"
    error_message = "db_temp_file_limit_mb = 256 must set temp_file_limit to 262144 kB."
  }

  assert {
    condition     = aws_db_parameter_group.this.family == "postgres15"
    error_message = "db_engine_version 15.8 must use the postgres15 family."
  }
}
