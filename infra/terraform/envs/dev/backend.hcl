# State of the dev environment: terraform init -backend-config=dev/backend.hcl
key = "lakestream/dev.tfstate"
