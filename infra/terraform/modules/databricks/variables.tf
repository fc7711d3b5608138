variable "names" {
  description = "Names from the naming module (databricks_workspace, databricks_managed_rg, access_connector)."
  type        = map(string)
}

variable "resource_group_name" {
  description = "Resource group of the workspace and the access connector."
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

variable "vnet_injection" {
  description = "VNet injection settings from the network module (null: Databricks-managed VNet; clusters still get no public IP)."
  type = object({
    virtual_network_id           = string
    host_subnet_name             = string
    container_subnet_name        = string
    host_nsg_association_id      = string
    container_nsg_association_id = string
  })
  default = null
}

variable "public_network_access_enabled" {
  description = "Workspace front-end (UI/REST) over the internet. Front-end Private Link is out of scope, so this stays on; the data plane never has public IPs."
  type        = bool
  default     = true
}
