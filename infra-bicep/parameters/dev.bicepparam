// Development: one team, one brand, a slower ingest, alerts to the developers. No secrets here.
using '../main.bicep'

param environmentName = 'dev'

param teams = [
  'care'
]

param defaultTeam = 'care'

param xBrands = [
  {
    name: 'contoso'
    query: '(@contoso OR contoso) -is:retweet'
  }
]

// Every other source once, so the template's source settings and their Key Vault references are checked on a build.
param mastodonInstances = [
  {
    name: 'social'
    baseUrl: 'https://mastodon.social/'
    brand: 'contoso'
    query: 'contoso'
    tags: [
      'contoso'
    ]
    accessTokenSecretName: 'mastodon-social-token'
  }
]

param blueskySearches = [
  {
    brand: 'contoso'
    query: 'contoso'
    lang: 'en'
  }
]

param redditClientId = 'dev-reddit-client-id'

param redditUserAgent = 'azure:socialhandoff-dev:1.0 (by /u/contoso-care)'

param redditSearches = [
  {
    brand: 'contoso'
    query: 'contoso'
  }
]

param feeds = [
  {
    name: 'contoso-news'
    url: 'https://news.contoso.example/rss'
    brand: 'contoso'
  }
]

param webhookTargets = [
  {
    team: 'care'
    kind: 'Teams'
    secretName: 'webhook-care-teams'
  }
]

param notificationTargets = [
  {
    name: 'crisis-teams'
    kind: 'Teams'
    secretName: 'webhook-crisis-teams'
  }
]

param spikesTimeZone = 'Europe/London'

param ingestSchedule = '0 */15 * * * *'

param authClientId = '00000000-0000-0000-0000-000000000000'

param alertEmails = [
  'socialhandoff-dev@example.com'
]

param slaBreachThreshold = 50

param maximumInstanceCount = 40
