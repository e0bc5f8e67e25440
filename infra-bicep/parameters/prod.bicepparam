// Production. Secrets are NOT here: set them in the Key Vault after the first deployment (OPERATIONS.md).
using '../main.bicep'

param environmentName = 'prod'

param teams = [
  'care'
  'crisis'
  'billing'
]

param defaultTeam = 'care'

param routingRules = [
  {
    name: 'crisis'
    team: 'crisis'
    keywords: [
      'food poisoning'
      'data breach'
      'fire'
    ]
  }
  {
    name: 'billing'
    team: 'billing'
    keywords: [
      'refund'
      'charged'
    ]
  }
]

param xBrands = [
  {
    name: 'contoso'
    query: '(@contoso OR contoso) -is:retweet'
  }
]

param webhookTargets = [
  {
    team: 'crisis'
    kind: 'Teams'
    secretName: 'webhook-crisis-teams'
  }
  {
    team: 'care'
    kind: 'Slack'
    secretName: 'webhook-care-slack'
  }
]

// The Entra ID app registration in front of the API and dashboard (replace with yours).
param authClientId = '00000000-0000-0000-0000-000000000000'

param alertEmails = [
  'socialhandoff-oncall@example.com'
]

param slaBreachThreshold = 5
