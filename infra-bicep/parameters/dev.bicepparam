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

param webhookTargets = [
  {
    team: 'care'
    kind: 'Teams'
    secretName: 'webhook-care-teams'
  }
]

param ingestSchedule = '0 */15 * * * *'

param authClientId = '00000000-0000-0000-0000-000000000000'

param alertEmails = [
  'socialhandoff-dev@example.com'
]

param slaBreachThreshold = 50

param maximumInstanceCount = 40
