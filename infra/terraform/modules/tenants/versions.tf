terraform {
  # Provider-free on purpose: the tenant derivation is exercised offline by `terraform test`.
  required_version = ">= 1.9.0"
}
