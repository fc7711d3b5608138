variable "name" {
  description = "Key Vault name (3-24 chars)."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the vault."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "tenant_id" {
  description = "Entra tenant ID of the vault."
  type        = string
}

variable "sku_name" {
  description = "standard or premium (HSM-backed keys)."
  type        = string
  default     = "standard"

  validation {
    condition     = contains(["standard", "premium"], var.sku_name)
    error_message = "sku_name must be standard or premium."
  }
}

variable "soft_delete_retention_days" {
  description = "Days a deleted vault/secret stays recoverable (7-90)."
  type        = number
  default     = 90

  validation {
    condition     = var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90
    error_message = "soft_delete_retention_days must be between 7 and 90."
  }
}

variable "public_network_access_enabled" {
  description = <<-EOT
    Public endpoint switch. On by default behind a default-deny firewall with the trusted-services
    bypass, because Databricks reads a Key Vault-backed secret scope from its control plane as a
    trusted service. Clusters and other clients use the private endpoint.
  EOT
  type        = bool
  default     = true
}

variable "allowed_ip_ranges" {
  description = "Public IPs/CIDRs allowed through the firewall (e.g. the Terraform runner that writes the job secret)."
  type        = list(string)
  default     = []
}

variable "private_endpoint" {
  description = "Private endpoint: subnet and privatelink.vaultcore.azure.net zone. Null for none."
  type = object({
    subnet_id           = string
    private_dns_zone_id = string
  })
  default = null
}
