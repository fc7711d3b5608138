# State of the prod environment: terraform init -backend-config=prod/backend.hcl
key = "lakestream/prod.tfstate"
