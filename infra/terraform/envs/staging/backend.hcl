# State of the staging environment: terraform init -backend-config=staging/backend.hcl
key = "lakestream/staging.tfstate"
