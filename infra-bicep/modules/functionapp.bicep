// Function app on the Flex Consumption plan: .NET 10 isolated, system-assigned identity, identity-based
// AzureWebJobsStorage, secrets only as Key Vault references, App Service Authentication (Entra ID).

param planName string
param appName string
param location string
param tags object

@description('Non-secret app settings (name -> value), built in main.bicep from the code\'s options.')
param appSettings object

@description('Secret app settings: each becomes @Microsoft.KeyVault(SecretUri=<vault>/secrets/<secretName>/), versionless so a new secret version is picked up.')
param secretSettings { setting: string, secretName: string }[]

@description('Key Vault URI (https://<name>.vault.azure.net/).')
param keyVaultUri string

@description('Blob container URL the app package is deployed to and run from.')
param deploymentContainerUrl string

@description('Application Insights connection string (not a secret: local auth is off, so it cannot send telemetry alone).')
param appInsightsConnectionString string

@description('Flex Consumption scale-out ceiling.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Entra ID app registration (client id) that fronts the API and dashboard.')
param authClientId string

@description('Tenant of that app registration.')
param authTenantId string

@description('Optional Key Vault secret holding the app registration\'s client secret (code flow for the dashboard); empty: ID-token sign-in, no secret at all.')
param authClientSecretName string = ''

var authSecretSettingName = 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'
var allSecretSettings = concat(secretSettings, empty(authClientSecretName) ? [] : [
  {
    setting: authSecretSettingName
    secretName: authClientSecretName
  }
])

var secretAppSettings = [for secret in allSecretSettings: {
  name: secret.setting
  value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secret.secretName}/)'
}]

var platformSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  // Telemetry is sent with the app's Entra token (App Insights local auth is off).
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
}

var plainAppSettings = map(items(union(platformSettings, appSettings)), s => {
  name: s.key
  value: string(s.value)
})

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    // Flex Consumption runs on Linux only.
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    // One identity, owned by the app and deleted with it: storage, Key Vault and App Insights trust it.
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    // Plain HTTP is redirected to HTTPS.
    httpsOnly: true
    // No client certificates: callers authenticate with Entra ID (authsettingsV2 below).
    clientCertEnabled: false
    // Key Vault references resolve with the system-assigned identity.
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      // TLS 1.0/1.1 are deprecated and weak.
      minTlsVersion: '1.2'
      // Same floor for the deployment (SCM) endpoint.
      scmMinTlsVersion: '1.2'
      // No FTP or FTPS: packages go through the deployment container only.
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat(plainAppSettings, secretAppSettings)
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            // The package is read with the app's identity: no storage key or SAS in a setting.
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Basic (user/password) publishing credentials off for FTP and SCM: deployment needs an Entra identity.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// App Service Authentication: every HTTP request to the API and the dashboard needs an Entra ID sign-in
// (queue and timer triggers are not HTTP and are not affected).
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      // Authentication runs in front of the app, before any of our code.
      enabled: true
    }
    globalValidation: {
      // No anonymous request reaches the API or the dashboard.
      requireAuthentication: true
      // Browsers are sent to the Entra sign-in page; API clients without a token get 401.
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      // The one anonymous path: availability probes read storage and source status (no mention data).
      excludedPaths: [
        '/api/health'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
          clientId: authClientId
          clientSecretSettingName: empty(authClientSecretName) ? null : authSecretSettingName
        }
        validation: {
          // Only tokens issued for this app registration are accepted.
          allowedAudiences: [
            'api://${authClientId}'
            authClientId
          ]
          defaultAuthorizationPolicy: {
            // Only tokens this app registration obtained itself (its own sign-in), not another app's token for this audience.
            allowedApplications: [
              authClientId
            ]
          }
          // No setting here can require an app role: that is the enterprise app's "Assignment required"
          // (appRoleAssignmentRequired), a Microsoft Graph property; see OPERATIONS.md. The app refuses a principal without a role.
        }
      }
    }
    login: {
      tokenStore: {
        enabled: true
      }
    }
    httpSettings: {
      // The auth module rejects plain HTTP as well.
      requireHttps: true
    }
  }
}

output name string = site.name
output id string = site.id
output principalId string = site.identity.principalId
output defaultHostName string = site.properties.defaultHostName
