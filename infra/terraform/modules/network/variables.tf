variable "names" {
  description = "Names from the naming module (virtual_network, network_security_group, nat_gateway, nat_public_ip)."
  type        = map(string)
}

variable "resource_group_name" {
  description = "Resource group of the network resources."
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

variable "address_space" {
  description = "Address space of the lakestream VNet."
  type        = list(string)
  default     = ["10.40.0.0/16"]
}

variable "enable_vnet_injection" {
  description = "Create the two delegated subnets (host/container) the Databricks workspace is injected into, with a NAT gateway for egress (no public IPs on cluster nodes)."
  type        = bool
  default     = true
}

variable "databricks_host_subnet_prefix" {
  description = "CIDR of the Databricks host (\"public\") subnet. Each cluster node takes one address in each Databricks subnet."
  type        = string
  default     = "10.40.0.0/22"
}

variable "databricks_container_subnet_prefix" {
  description = "CIDR of the Databricks container (\"private\") subnet."
  type        = string
  default     = "10.40.4.0/22"
}

variable "enable_private_endpoints" {
  description = "Create the private-endpoint subnet and the privatelink DNS zones (Event Hubs, ADLS dfs/blob, Key Vault)."
  type        = bool
  default     = true
}

variable "private_endpoint_subnet_prefix" {
  description = "CIDR of the private-endpoint subnet."
  type        = string
  default     = "10.40.8.0/26"
}
