// Alerts to one action group: poison queue received messages, dead letters recorded, SLA breaches above a
// threshold, function failures. Log alerts query the app's Application Insights (workspace-based).

param namePrefix string
param location string
param tags object
param appInsightsId string

@description('E-mail addresses the action group notifies.')
param alertEmails string[]

@description('SLA breaches per hour above which the SLA alert fires.')
@minValue(0)
param slaBreachThreshold int = 5

@description('KQL filter on traces that selects one SLA-breach log line (SlaSweep, issue 4).')
param slaBreachFilter string = 'message startswith "SLA breached" or tostring(customDimensions.EventId) == "1502"'

var evaluationFrequency = 'PT5M'
var windowSize = 'PT5M'

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
    description: 'A message reached mentions-incoming-poison (RecordDeadLetter ran): it failed 5 deliveries. Read DeadLetters for the reason.'
    query: 'requests | where operation_Name == "RecordDeadLetter" | summarize n = count()'
    threshold: 0
    frequency: evaluationFrequency
    window: windowSize
  }
  {
    name: 'dead-letters'
    severity: 2
    description: 'Rows were written to the DeadLetters table (log event 1300 "Dead-lettered").'
    query: 'traces | where message startswith "Dead-lettered " or tostring(customDimensions.EventId) == "1300" | summarize n = count()'
    threshold: 0
    frequency: evaluationFrequency
    window: windowSize
  }
  {
    name: 'sla-breaches'
    severity: 2
    description: 'More than ${slaBreachThreshold} SLA breaches in the last hour.'
    query: 'traces | where ${slaBreachFilter} | summarize n = count()'
    threshold: slaBreachThreshold
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
