variable "project" {
  description = "Project name used in every resource name (lowercase letters and digits, 3-10 chars)."
  type        = string
  default     = "lakestream"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{2,9}$", var.project))
    error_message = "project must be 3-10 lowercase letters/digits starting with a letter (it is part of the 24-char storage and Key Vault names)."
  }
}

variable "environment" {
  description = "Environment name, e.g. dev, staging, prod (lowercase letters/digits, 2-10 chars): the Databricks and Entra names and the environment tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lowercase letters/digits starting with a letter (dev, staging, prod)."
  }
}

variable "environment_code" {
  description = "2-4 char code of the environment in the Azure resource names, which the 24-char storage and Key Vault limits constrain (stg for staging). Null: the environment name itself."
  type        = string
  default     = null

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,3}$", coalesce(var.environment_code, var.environment)))
    error_message = "environment_code must be 2-4 lowercase letters/digits starting with a letter; set it when environment is longer than 4 chars (staging: stg)."
  }
}

variable "location" {
  description = "Azure region, either the programmatic name (westeurope) or the display name (West Europe)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9 ]+$", var.location))
    error_message = "location must be an Azure region name such as westeurope or \"West Europe\"."
  }
}

variable "suffix" {
  description = "Optional 1-5 char lowercase suffix that makes the globally unique names (storage account, Key Vault, Event Hubs namespace) unique. Empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.suffix == "" || can(regex("^[a-z0-9]{1,5}$", var.suffix))
    error_message = "suffix must be empty or 1-5 lowercase letters/digits."
  }
}

variable "extra_tags" {
  description = "Tags merged into the standard tag set (owner, cost centre, ...)."
  type        = map(string)
  default     = {}
}
