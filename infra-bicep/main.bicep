// SocialHandoff: one resource-group deployment. Storage (queues, tables, deployment container), monitoring,
// Key Vault, the Flex Consumption function app, its role assignments and the alerts.
// Deploy: az deployment group create -g <rg> --template-file infra-bicep/main.bicep --parameters infra-bicep/parameters/prod.bicepparam
targetScope = 'resourceGroup'

@description('Environment name, part of every resource name.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Short product name, part of every resource name.')
@maxLength(13)
param baseName string = 'socialhandoff'

param location string = resourceGroup().location

@description('Teams that receive handoffs: each gets the queue team-<name> (lowercase letters, digits, single hyphens).')
@minLength(1)
param teams string[]

@description('People of each team (Teams:<team>:Members): id is the person\'s Entra object id, name what the dashboard shows. A handoff can be reassigned only to a person of its team.')
param teamMembers {
  team: string
  id: string
  name: string?
}[] = []

@description('Team of a mention no routing rule matches (Routing:DefaultTeam); must be in teams.')
param defaultTeam string

@description('Routing rules (Routing:Rules), first match wins. Every team must be in teams.')
param routingRules {
  name: string
  team: string
  keywords: string[]?
  brands: string[]?
  minUrgency: int?
}[] = []

@description('X recent-search queries, one per brand (Sources:X:Brands).')
param xBrands {
  name: string
  query: string
}[]

@description('Key Vault secret that holds the X app bearer token (Sources:X:BearerToken).')
param xBearerTokenSecretName string = 'x-bearer-token'

@description('Mastodon instances (Sources:Mastodon:Instances): a status search (needs accessTokenSecretName) and/or hashtag timelines each.')
param mastodonInstances {
  name: string
  baseUrl: string
  brand: string
  query: string?
  tags: string[]
  @description('Key Vault secret holding the instance access token (scope read:search); omit for public hashtag timelines only.')
  accessTokenSecretName: string?
}[] = []

@description('Bluesky searches, one per brand (Sources:Bluesky:Searches).')
param blueskySearches {
  brand: string
  query: string
  lang: string?
}[] = []

@description('Bluesky XRPC host (Sources:Bluesky:Host): the public AppView, or the account PDS when an app password is used.')
param blueskyHost string = 'https://api.bsky.app/'

@description('Bluesky account handle for an app-password session (Sources:Bluesky:Identifier); empty: no session.')
param blueskyIdentifier string = ''

@description('Key Vault secret that holds the Bluesky app password (Sources:Bluesky:AppPassword); used when blueskyIdentifier is set.')
param blueskyAppPasswordSecretName string = 'bluesky-app-password'

@description('Reddit app client id (Sources:Reddit:ClientId); empty: the Reddit source is off.')
param redditClientId string = ''

@description('Key Vault secret that holds the Reddit app secret (Sources:Reddit:ClientSecret); used when redditClientId is set.')
param redditClientSecretSecretName string = 'reddit-client-secret'

@description('The unique User-Agent Reddit requires (Sources:Reddit:UserAgent), e.g. azure:socialhandoff:1.0 (by /u/you).')
param redditUserAgent string = ''

@description('Reddit searches, one per brand (Sources:Reddit:Searches).')
param redditSearches {
  brand: string
  query: string
  subreddit: string?
}[] = []

@description('RSS / Atom feeds (Sources:Feeds:Feeds).')
param feeds {
  name: string
  url: string
  brand: string?
}[] = []

@description('Teams / Slack webhooks for SLA notices; each URL is a Key Vault secret (a webhook URL is a credential).')
param webhookTargets {
  team: string
  kind: ('Teams' | 'Slack')
  secretName: string
}[] = []

@description('Named webhook targets that teams list under Notify in the directory (Sla:Notifications:<name>); each URL is a Key Vault secret.')
param notificationTargets {
  @minLength(1)
  @maxLength(64)
  name: string
  kind: ('Teams' | 'Slack')
  secretName: string
}[] = []

@description('IANA time zone of the spike detector\'s hours of the week (Spikes:TimeZone), e.g. Europe/London.')
param spikesTimeZone string = 'UTC'

@description('NCRONTAB (six fields, with seconds) of the IngestMentions timer (Ingest:Schedule).')
param ingestSchedule string = '0 */5 * * * *'

@description('Entra ID app registration (client id) for App Service Authentication in front of the API and dashboard.')
param authClientId string

@description('Tenant of the app registration.')
param authTenantId string = tenant().tenantId

@description('Optional Key Vault secret with the app registration\'s client secret; empty: sign-in without a secret.')
param authClientSecretName string = ''

@description('Addresses the alerts go to.')
param alertEmails string[]

@description('SLA breaches per hour above which an alert fires.')
param slaBreachThreshold int = 5

@description('Flex Consumption scale-out ceiling.')
param maximumInstanceCount int = 100

var suffix = uniqueString(resourceGroup().id, environmentName)
var namePrefix = '${baseName}-${environmentName}'
var tags = {
  product: 'SocialHandoff'
  environment: environmentName
}

// Names the code uses (SocialHandoff.Core StorageNames); the Infra tests check this list against the code.
var incomingQueue = 'mentions-incoming'
var queueNames = concat([
  incomingQueue
  '${incomingQueue}-poison'
  // What RecordDeadLetter fails on five times; the SlaSweep timer records it in DeadLetters.
  '${incomingQueue}-poison-poison'
], map(teams, team => 'team-${team}'))
var tableNames = [
  'SourceState'
  'Mentions'
  'Handoffs'
  'HandoffEvents'
  'DeadLetters'
  'Configuration'
  'SlaDue'
  'Notifications'
  'DailyStats'
  'Directory'
  'Incidents'
  'FilteredMentions'
  'SpamRepeats'
  'MentionVolume'
  'VolumeBaselines'
  'HandoffIndex'
]
var deploymentContainerName = 'app-package'
var storageAccountName = take('st${replace(baseName, '-', '')}${suffix}', 24)
var keyVaultName = take('kv-${environmentName}-${suffix}', 24)
var appInsightsName = '${namePrefix}-appi-${suffix}'
// Known before deployment, so every Key Vault reference is a plain string in the compiled template.
var keyVaultUri = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/'
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    queueNames: queueNames
    tableNames: tableNames
    deploymentContainerName: deploymentContainerName
    hostContainerNames: hostContainerNames
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: '${namePrefix}-log-${suffix}'
    appInsightsName: appInsightsName
    location: location
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: keyVaultName
    location: location
    tags: tags
  }
}

// App settings: one per option the code reads (SocialHandoff.Core *Options, Section:Key -> Section__Key).
var rules = map(routingRules, rule => {
  name: rule.name
  team: rule.team
  minUrgency: rule.?minUrgency ?? 0
  keywords: rule.?keywords ?? []
  brands: rule.?brands ?? []
})
var routingSettings = reduce(map(range(0, length(rules)), i => union(
  {
    'Routing__Rules__${i}__Name': rules[i].name
    'Routing__Rules__${i}__Team': rules[i].team
    'Routing__Rules__${i}__MinUrgency': string(rules[i].minUrgency)
  },
  toObject(range(0, length(rules[i].keywords)), k => 'Routing__Rules__${i}__Keywords__${k}', k => rules[i].keywords[k]),
  toObject(range(0, length(rules[i].brands)), b => 'Routing__Rules__${i}__Brands__${b}', b => rules[i].brands[b])
)), {}, (all, rule) => union(all, rule))

var brandSettings = reduce(map(range(0, length(xBrands)), i => {
  'Sources__X__Brands__${i}__Name': xBrands[i].name
  'Sources__X__Brands__${i}__Query': xBrands[i].query
}), {}, (all, brand) => union(all, brand))

// The other sources, each only when configured (an empty list writes no setting).
var sourceSettings = union(
  reduce(map(range(0, length(mastodonInstances)), i => union(
    {
      'Sources__Mastodon__Instances__${i}__Name': mastodonInstances[i].name
      'Sources__Mastodon__Instances__${i}__BaseUrl': mastodonInstances[i].baseUrl
      'Sources__Mastodon__Instances__${i}__Brand': mastodonInstances[i].brand
    },
    empty(mastodonInstances[i].?query ?? '') ? {} : { 'Sources__Mastodon__Instances__${i}__Query': mastodonInstances[i].query! },
    toObject(range(0, length(mastodonInstances[i].tags)), t => 'Sources__Mastodon__Instances__${i}__Tags__${t}', t => mastodonInstances[i].tags[t])
  )), {}, (all, x) => union(all, x)),
  empty(blueskySearches) ? {} : { Sources__Bluesky__Host: blueskyHost },
  empty(blueskyIdentifier) ? {} : { Sources__Bluesky__Identifier: blueskyIdentifier },
  reduce(map(range(0, length(blueskySearches)), i => union(
    {
      'Sources__Bluesky__Searches__${i}__Brand': blueskySearches[i].brand
      'Sources__Bluesky__Searches__${i}__Query': blueskySearches[i].query
    },
    empty(blueskySearches[i].?lang ?? '') ? {} : { 'Sources__Bluesky__Searches__${i}__Lang': blueskySearches[i].lang! }
  )), {}, (all, x) => union(all, x)),
  empty(redditClientId) ? {} : {
    Sources__Reddit__ClientId: redditClientId
    Sources__Reddit__UserAgent: redditUserAgent
  },
  reduce(map(range(0, length(redditSearches)), i => union(
    {
      'Sources__Reddit__Searches__${i}__Brand': redditSearches[i].brand
      'Sources__Reddit__Searches__${i}__Query': redditSearches[i].query
    },
    empty(redditSearches[i].?subreddit ?? '') ? {} : { 'Sources__Reddit__Searches__${i}__Subreddit': redditSearches[i].subreddit! }
  )), {}, (all, x) => union(all, x)),
  reduce(map(range(0, length(feeds)), i => union(
    {
      'Sources__Feeds__Feeds__${i}__Name': feeds[i].name
      'Sources__Feeds__Feeds__${i}__Url': feeds[i].url
    },
    empty(feeds[i].?brand ?? '') ? {} : { 'Sources__Feeds__Feeds__${i}__Brand': feeds[i].brand! }
  )), {}, (all, x) => union(all, x))
)

// SlaOptions.Teams[team].Webhooks[i] (Sla:Teams:<team>:Webhooks:<i>:Kind and :Url). The index is the target's
// place in webhookTargets: a team's list may skip numbers, which the configuration binder reads as one list.
var webhookSettings = reduce(map(range(0, length(webhookTargets)), i => {
  'Sla__Teams__${webhookTargets[i].team}__Webhooks__${i}__Kind': webhookTargets[i].kind
}), {}, (all, target) => union(all, target))

// SlaOptions.Notifications[name] (Sla:Notifications:<name>:Kind and :Url): targets a team's Notify list names.
var notificationTargetSettings = toObject(notificationTargets, target => 'Sla__Notifications__${target.name}__Kind', target => target.kind)

// Every deployed team is a team the app knows (rules and reassignments may name it), with its people.
var teamSettings = union(
  toObject(teams, team => 'Teams__${team}__DisplayName', team => team),
  reduce(map(range(0, length(teamMembers)), i => union(
    {
      'Teams__${teamMembers[i].team}__Members__${i}__Id': teamMembers[i].id
    },
    empty(teamMembers[i].?name ?? '') ? {} : {
      'Teams__${teamMembers[i].team}__Members__${i}__Name': teamMembers[i].name!
    }
  )), {}, (all, member) => union(all, member))
)

var appSettings = union({
  // Functions host storage through the app's identity (no connection string, no key).
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  // The pipeline's queues and tables through the app's identity (StorageOptions).
  Storage__QueueServiceUri: storage.outputs.queueEndpoint
  Storage__TableServiceUri: storage.outputs.tableEndpoint
  // The template creates every queue and table; kept on so a team added in routing at run time still gets its queue.
  Storage__CreateIfMissing: 'true'
  Ingest__Schedule: ingestSchedule
  Sources__X__BaseUrl: 'https://api.x.com/'
  Routing__DefaultTeam: defaultTeam
  // SlaSweep timer (SlaOptions.SweepSchedule) and how often instances re-read the current rules and policies.
  Sla__SweepSchedule: '0 * * * * *'
  Policies__RefreshInterval: '00:00:30'
  // Version 1 of the SLA policies, used only while none is stored; managers save real ones through the store.
  Sla__Seed__Author: 'deployment'
  Sla__Seed__Calendars__0__Name: '24x7'
  Sla__Seed__Calendars__0__AlwaysOpen: 'true'
  Sla__Seed__Policies__0__Name: 'standard'
  Sla__Seed__Policies__0__Team: '*'
  Sla__Seed__Policies__0__Priority: '*'
  Sla__Seed__Policies__0__Calendar: '24x7'
  Sla__Seed__Policies__0__FirstResponse: '01:00:00'
  Sla__Seed__Policies__0__Resolution: '1.00:00:00'
  Sla__Seed__Policies__0__WarnBefore: '00:15:00'
  Spikes__TimeZone: spikesTimeZone
}, brandSettings, sourceSettings, routingSettings, webhookSettings, notificationTargetSettings, teamSettings)

var secretSettings = concat([
  {
    setting: 'Sources__X__BearerToken'
    secretName: xBearerTokenSecretName
  }
], map(range(0, length(webhookTargets)), i => {
  setting: 'Sla__Teams__${webhookTargets[i].team}__Webhooks__${i}__Url'
  secretName: webhookTargets[i].secretName
}), map(notificationTargets, target => {
  setting: 'Sla__Notifications__${target.name}__Url'
  secretName: target.secretName
}), map(filter(range(0, length(mastodonInstances)), i => !empty(mastodonInstances[i].?accessTokenSecretName ?? '')), i => {
  setting: 'Sources__Mastodon__Instances__${i}__AccessToken'
  secretName: mastodonInstances[i].accessTokenSecretName!
}), empty(blueskyIdentifier) ? [] : [
  {
    setting: 'Sources__Bluesky__AppPassword'
    secretName: blueskyAppPasswordSecretName
  }
], empty(redditClientId) ? [] : [
  {
    setting: 'Sources__Reddit__ClientSecret'
    secretName: redditClientSecretSecretName
  }
])

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    planName: '${namePrefix}-plan-${suffix}'
    appName: '${namePrefix}-func-${suffix}'
    location: location
    tags: tags
    appSettings: appSettings
    secretSettings: secretSettings
    keyVaultUri: keyVaultUri
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    authClientId: authClientId
    authTenantId: authTenantId
    authClientSecretName: authClientSecretName
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  // The vault is only referenced by name here; the assignment needs it to exist.
  dependsOn: [
    keyVault
  ]
  params: {
    // The principal id exists only once the site does; it must be in the assignment names (a recreated app
    // gets a new identity and new assignments), so what-if shows these as "may change".
    #disable-next-line what-if-short-circuiting
    principalId: functionApp.outputs.principalId
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    hostContainerNames: hostContainerNames
    keyVaultName: keyVaultName
    appInsightsName: appInsightsName
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: namePrefix
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.appInsightsId
    alertEmails: alertEmails
    slaBreachThreshold: slaBreachThreshold
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output storageAccountName string = storage.outputs.name
output keyVaultName string = keyVault.outputs.name
output keyVaultUri string = keyVault.outputs.uri
