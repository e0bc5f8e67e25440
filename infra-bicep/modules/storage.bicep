// Storage account: the app's queues and tables (created here, not left to first use), the Functions
// host's containers and the Flex Consumption deployment container. Identity only: no keys are used.

@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

param location string
param tags object

@description('Queues the code uses (mentions-incoming, its poison queue, team-<name> for every configured team).')
param queueNames string[]

@description('Tables the code uses (StorageNames.Tables).')
param tableNames string[]

@description('Blob container that holds the app package Flex Consumption runs from.')
param deploymentContainerName string

@description('Containers the Functions host writes through AzureWebJobsStorage: timer locks and host keys.')
param hostContainerNames string[] = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // Account keys and SAS stop working: every caller (app, host, deployment, people) uses Entra ID and RBAC.
    allowSharedKeyAccess: false
    // The portal and tools default to Entra ID too, so nobody falls back to keys by accident.
    defaultToOAuthAuthentication: true
    // Plain HTTP would expose mention text and tokens in transit.
    supportsHttpsTrafficOnly: true
    // TLS 1.0/1.1 are deprecated and weak.
    minimumTlsVersion: 'TLS1_2'
    // No container may ever be opened to anonymous readers (the app package included).
    allowBlobPublicAccess: false
    // Blocks copying blobs out to accounts in other tenants.
    allowCrossTenantReplication: false
    // Keeps every write under the account's RBAC (no AAD-less copy scope).
    allowedCopyScope: 'AAD'
    accessTier: 'Hot'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    // The package is private: only the app's identity and the deployer read it.
    publicAccess: 'None'
  }
}

resource hostContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for container in hostContainerNames: {
  parent: blobService
  name: container
  properties: {
    // Host keys and locks are never public.
    publicAccess: 'None'
  }
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queue in queueNames: {
  parent: queueService
  name: queue
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for table in tableNames: {
  parent: tableService
  name: table
}]

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainer.name}'
output deploymentContainerId string = deploymentContainer.id
output hostContainerIds string[] = [for (container, i) in hostContainerNames: hostContainers[i].id]
