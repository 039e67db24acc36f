package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// OutboxStats reads how many jobs wait in the outbox and when the oldest
// was queued (zero when none); store.DB.OutboxStats adapted.
type OutboxStats func() (jobs int, oldest time.Time, err error)

// WatchOutbox exports setbot_outbox_jobs and
// setbot_outbox_oldest_job_age_seconds, read from stats at every scrape
// (one store read for both). A growing outbox means an outside system
// (Jira, the webhook, Mattermost) is not taking its jobs.
func (r *Registry) WatchOutbox(stats OutboxStats, now func() time.Time) {
	r.reg.MustRegister(&outboxCollector{stats: stats, now: now})
}

// WatchWebsocket exports setbot_websocket_connected (1 or 0) and
// setbot_websocket_reconnects_total, read at every scrape.
func (r *Registry) WatchWebsocket(connected func() bool, reconnects func() int64) {
	r.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "websocket_connected",
			Help: "1 while the Mattermost websocket is connected, else 0."},
			func() float64 {
				if connected() {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: "websocket_reconnects_total",
			Help: "Websocket reconnects after the first connection."},
			func() float64 { return float64(reconnects()) }))
}

// WatchStore exports setbot_store_bytes, the size of the store's data, and
// setbot_dead_letters, the jobs quarantined after failing for good, read
// at every scrape; a scrape error leaves them out and is logged.
func (r *Registry) WatchStore(size func() (int64, error), deadLetters func() (int, error)) {
	r.reg.MustRegister(&storeCollector{size: size, dead: deadLetters})
}

var descStoreBytes = prometheus.NewDesc(namespace+"_store_bytes",
	"Size of setbot's store (the bbolt file's data) in bytes: uploads waiting to be filed take most of it.", nil, nil)

var descDeadLetters = prometheus.NewDesc(namespace+"_dead_letters",
	"Jobs taken out of the outbox after failing for good (they panicked again and again): each one is a bug to look into.", nil, nil)

type storeCollector struct {
	size func() (int64, error)
	dead func() (int, error)
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descStoreBytes
	ch <- descDeadLetters
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	if n, err := c.size(); err != nil {
		ch <- prometheus.NewInvalidMetric(descStoreBytes, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descStoreBytes, prometheus.GaugeValue, float64(n))
	}
	if n, err := c.dead(); err != nil {
		ch <- prometheus.NewInvalidMetric(descDeadLetters, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descDeadLetters, prometheus.GaugeValue, float64(n))
	}
}

var (
	descOutboxJobs = prometheus.NewDesc(namespace+"_outbox_jobs",
		"Jobs waiting in the outbox, due or retrying.", nil, nil)
	descOutboxAge = prometheus.NewDesc(namespace+"_outbox_oldest_job_age_seconds",
		"Age of the oldest job waiting in the outbox; 0 when it is empty.", nil, nil)
)

// outboxCollector reads the store once per scrape for both outbox gauges.
type outboxCollector struct {
	stats OutboxStats
	now   func() time.Time
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descOutboxJobs
	ch <- descOutboxAge
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	n, oldest, err := c.stats()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descOutboxJobs, err)
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(c.now().Sub(oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(descOutboxJobs, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(descOutboxAge, prometheus.GaugeValue, age)
}

var descUnanswered = prometheus.NewDesc(namespace+"_unanswered_posts",
	"Posts in the channel past their first-response target with no answer from SET yet (the first-response watch).", []string{"channel"}, nil)

// WatchUnanswered exports setbot_unanswered_posts{channel}, read from
// count at every scrape; an error leaves it out.
func (r *Registry) WatchUnanswered(channel string, count func() (int, error)) {
	r.reg.MustRegister(&unansweredCollector{channel: channel, count: count})
}

type unansweredCollector struct {
	channel string
	count   func() (int, error)
}

func (c *unansweredCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descUnanswered }

func (c *unansweredCollector) Collect(ch chan<- prometheus.Metric) {
	if n, err := c.count(); err != nil {
		ch <- prometheus.NewInvalidMetric(descUnanswered, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descUnanswered, prometheus.GaugeValue, float64(n), c.channel)
	}
}

var descStale = prometheus.NewDesc(namespace+"_stale_tickets",
	"Open SET tickets with no Jira update for longer than [stale] allows their level, at the last look (every 15 minutes, and at each digest, report and triage).", nil, nil)

// WatchStale exports setbot_stale_tickets, read from count at every
// scrape; it is left out until Jira has been read (known false).
func (r *Registry) WatchStale(count func() (n int, known bool)) {
	r.reg.MustRegister(&staleCollector{count: count})
}

type staleCollector struct{ count func() (int, bool) }

func (c *staleCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descStale }

func (c *staleCollector) Collect(ch chan<- prometheus.Metric) {
	if n, known := c.count(); known {
		ch <- prometheus.MustNewConstMetric(descStale, prometheus.GaugeValue, float64(n))
	}
}

// WatchLeader exports setbot_leader, 1 while this replica leads (listens,
// runs the timers and posts) and 0 while it follows, read at every scrape.
// A single replica on bbolt always leads.
func (r *Registry) WatchLeader(leading func() bool) {
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "leader",
		Help: "1 while this replica is the leader (it listens, runs the timers and posts), else 0."},
		func() float64 {
			if leading() {
				return 1
			}
			return 0
		}))
}
