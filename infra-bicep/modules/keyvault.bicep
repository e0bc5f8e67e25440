// Key Vault for the app's secrets (X bearer token, webhook URLs). The template creates the vault, never
// the secret values: operators set them with `az keyvault secret set` (see OPERATIONS.md).

param name string
param location string
param tags object

@description('Days a deleted vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access is Azure RBAC (role assignments, auditable, least privilege), not vault access policies.
    enableRbacAuthorization: true
    // A deleted secret or vault can be recovered for softDeleteRetentionInDays.
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // Nobody, not even an owner, can purge before the retention ends: a leaked admin cannot destroy secrets.
    enablePurgeProtection: true
    // The vault serves the app only: no VM, disk-encryption or ARM-template secret reads.
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
