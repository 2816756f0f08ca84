package telemetry

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// OutboxStats is what the email outbox holds now.
type OutboxStats struct {
	Queued   int           // emails not yet sent
	Retrying int           // of those, emails a mail server has already refused or not answered
	Oldest   time.Duration // age of the oldest email not yet sent; 0 when none is waiting
}

// WatchOutbox reports the outbox at every scrape. read runs with a short deadline; when it
// fails, sendflow_outbox_up is 0 and the other outbox metrics are absent, so an alert on the age
// of the oldest email never reads a stale value.
func (t *Telemetry) WatchOutbox(read func(context.Context) (OutboxStats, error)) {
	if t.Registry() == nil {
		return
	}
	t.registry.MustRegister(&outboxCollector{read: read, t: t})
}

var (
	outboxQueuedDesc   = prometheus.NewDesc(MetricOutboxQueued, "Emails in the outbox not yet sent.", nil, nil)
	outboxRetryingDesc = prometheus.NewDesc(
		MetricOutboxRetrying,
		"Emails not yet sent that have been tried at least once (the mail server refused them for now or did not answer).",
		nil,
		nil,
	)
	outboxOldestDesc = prometheus.NewDesc(
		MetricOutboxOldestQueued,
		"Age of the oldest email not yet sent, in seconds (0 when none is waiting).",
		nil,
		nil,
	)
	outboxUpDesc = prometheus.NewDesc(
		MetricOutboxUp,
		"1 if the outbox could be read for this scrape, 0 if not.",
		nil,
		nil,
	)
)

type outboxCollector struct {
	read func(context.Context) (OutboxStats, error)
	t    *Telemetry
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxQueuedDesc
	ch <- outboxRetryingDesc
	ch <- outboxOldestDesc
	ch <- outboxUpDesc
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	s, err := c.read(ctx)
	if err != nil {
		c.t.logger.Warn("outbox metrics not read", "error", err)
		ch <- prometheus.MustNewConstMetric(outboxUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(outboxUpDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(outboxQueuedDesc, prometheus.GaugeValue, float64(s.Queued))
	ch <- prometheus.MustNewConstMetric(outboxRetryingDesc, prometheus.GaugeValue, float64(s.Retrying))
	ch <- prometheus.MustNewConstMetric(outboxOldestDesc, prometheus.GaugeValue, s.Oldest.Seconds())
}
