// Alerts to one action group, on the app's own metrics (the SocialHandoff meter, exported by OpenTelemetry to
// Application Insights' customMetrics): counts, not log lines, so sampling and wording changes cannot hide them.
// Metric and dimension names are SocialHandoffTelemetry.Instruments / Tags in Core; a test keeps them in step.

param namePrefix string
param location string
param tags object
param appInsightsId string

@description('E-mail addresses the action group notifies.')
param alertEmails string[]

@description('SLA breaches per hour (any one team) above which the SLA alert fires.')
@minValue(0)
param slaBreachThreshold int = 5

@description('Failed ingest runs of one source per hour above which the source alert fires (one failed run is retried by the next).')
@minValue(0)
param sourceErrorThreshold int = 2

var evaluationFrequency = 'PT5M'
var windowSize = 'PT5M'

// Delta sums per export interval: sum(valueSum) over the window is the count in the window.
var metricSum = 'summarize n = sum(valueSum)'

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-ag'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take(replace(namePrefix, '-', ''), 12)
    enabled: true
    emailReceivers: [for (email, i) in alertEmails: {
      name: 'email-${i}'
      emailAddress: email
      useCommonAlertSchema: true
    }]
  }
}

var logAlerts = [
  {
    name: 'poison-queue'
    severity: 1
    description: 'A message failed every delivery (or could not be decoded) and reached mentions-incoming-poison: socialhandoff.dead_letters with reason poisoned or undecodable. Read DeadLetters for the reason.'
    query: 'customMetrics | where name == "socialhandoff.dead_letters" | extend reason = tostring(customDimensions.reason) | where reason in ("poisoned", "undecodable") | ${metricSum} by reason'
    dimensions: [ 'reason' ]
    threshold: 0
    frequency: evaluationFrequency
    window: windowSize
  }
  {
    name: 'dead-letters'
    severity: 2
    description: 'Records were written to the DeadLetters table (socialhandoff.dead_letters, any reason: unreadable, undecodable, poisoned, ingest-reject).'
    query: 'customMetrics | where name == "socialhandoff.dead_letters" | extend reason = tostring(customDimensions.reason) | ${metricSum} by reason'
    dimensions: [ 'reason' ]
    threshold: 0
    frequency: evaluationFrequency
    window: windowSize
  }
  {
    name: 'sla-breaches'
    severity: 2
    description: 'More than ${slaBreachThreshold} SLA breaches for one team in the last hour (socialhandoff.sla.breaches).'
    query: 'customMetrics | where name == "socialhandoff.sla.breaches" | extend team = tostring(customDimensions.team) | ${metricSum} by team'
    dimensions: [ 'team' ]
    threshold: slaBreachThreshold
    frequency: 'PT15M'
    window: 'PT1H'
  }
  {
    name: 'webhook-failures'
    severity: 2
    description: 'Teams or Slack did not confirm an SLA notice (socialhandoff.webhook.failures): the team was not told. The escalation is on record in HandoffEvents; the outbox row in Notifications says why.'
    query: 'customMetrics | where name == "socialhandoff.webhook.failures" | extend team = tostring(customDimensions.team), kind = tostring(customDimensions.kind) | ${metricSum} by team, kind'
    dimensions: [ 'team', 'kind' ]
    threshold: 0
    frequency: 'PT15M'
    window: 'PT15M'
  }
  {
    name: 'source-errors'
    severity: 2
    description: 'A source failed more than ${sourceErrorThreshold} ingest runs in the last hour (socialhandoff.source.errors); its watermark stays, so nothing is lost, but mentions are late.'
    query: 'customMetrics | where name == "socialhandoff.source.errors" | extend source = tostring(customDimensions.source) | ${metricSum} by source'
    dimensions: [ 'source' ]
    threshold: sourceErrorThreshold
    frequency: 'PT15M'
    window: 'PT1H'
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [for alert in logAlerts: {
  name: '${namePrefix}-${alert.name}'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix} ${alert.name}'
    description: alert.description
    severity: alert.severity
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: alert.frequency
    windowSize: alert.window
    criteria: {
      allOf: [
        {
          query: alert.query
          timeAggregation: 'Total'
          metricMeasureColumn: 'n'
          // One alert per team / reason / source, so the notice names which one.
          dimensions: map(alert.dimensions, dimension => {
            name: dimension
            operator: 'Include'
            values: [ '*' ]
          })
          operator: 'GreaterThan'
          threshold: alert.threshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}]

resource functionFailures 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-function-failures'
  location: 'global'
  tags: tags
  properties: {
    description: 'Function invocations failed (any trigger): see Application Insights failures.'
    severity: 2
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'failed-requests'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/failed'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Count'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

output actionGroupId string = actionGroup.id
