// Package metrics exposes setbot's health to Prometheus at /metrics. It is
// the only importer of the Prometheus client. Registry implements
// dispatch.Meter, so the dispatcher counts what it does without knowing
// Prometheus; the websocket and the outbox are read at scrape time.
//
// Labels take only values from small fixed sets (or, for job kinds, the
// kinds compiled into setbot): never a user, channel or issue.
package metrics

import (
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

const namespace = "setbot"

// Label values. A value outside its set is counted as other.
var (
	postKinds   = []string{"dm", "channel", "other"}
	pageSteps   = []string{"primary", "backup", "lead", "other"}
	clickKinds  = []string{"ack", "intake", "snooze", "report", "other"}
	jobOutcomes = []string{"done", "retry", "dropped"}
)

// jobBuckets are the job duration histogram's bounds in seconds: a post
// takes milliseconds, a Jira filing with files seconds, and a job is cut off
// after dispatch's jobTimeout (2 minutes).
var jobBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}

// Registry holds setbot's metrics in a registry of its own (not
// Prometheus's global one). Its counting methods are safe for concurrent
// use; the Watch methods are called once, at start-up, before serving.
type Registry struct {
	reg         *prometheus.Registry
	log         zerolog.Logger
	handled     map[string]prometheus.Counter
	duplicate   prometheus.Counter
	jobs        *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
	filed       prometheus.Counter
	pages       map[string]prometheus.Counter
	acked       prometheus.Counter
	reminders   map[bool]prometheus.Counter
	clicks      map[string]prometheus.Counter
	timerPass   prometheus.Gauge
	jiraUp      prometheus.Gauge
}

// New returns a registry with the Go runtime and process collectors and
// setbot's counters, every fixed label value at zero. Scrape errors (an
// unreadable store) are logged to log.
func New(log zerolog.Logger) *Registry {
	r := &Registry{reg: prometheus.NewRegistry(), log: log}
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	r.handled = r.counters("posts_handled_total", "Posts handled, by where they were posted.", "kind", postKinds)
	r.duplicate = r.counter("posts_duplicate_total", "Posts dropped because they had been handled already (a replay or a catch-up overlap).")
	r.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "jobs_total",
		Help: "Outbox jobs run, by kind and outcome: done, retry (the outside system was unavailable) or dropped (it cannot succeed)."},
		[]string{"kind", "outcome"})
	r.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "job_duration_seconds",
		Help: "How long one run of an outbox job took, by kind.", Buckets: jobBuckets}, []string{"kind"})
	r.reg.MustRegister(r.jobs, r.jobDuration)
	r.filed = r.counter("tickets_filed_total", "Tickets filed in Jira from intakes.")
	r.pages = r.counters("pages_total", "Page ladder steps taken (a person paged), by step.", "step", pageSteps)
	r.acked = r.counter("pages_acknowledged_total", "Pages acknowledged.")
	lead := r.counters("incident_reminders_total", "Incident status update reminders posted, by whether the lead was mentioned.",
		"lead", []string{"true", "false"})
	r.reminders = map[bool]prometheus.Counter{true: lead["true"], false: lead["false"]}
	r.clicks = r.counters("clicks_total", "Button clicks, by what the button does.", "action", clickKinds)
	r.timerPass = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "timer_pass_timestamp_seconds",
		Help: "When the newest finished pass of the timer loop (paging ladder, reminders, reports, housekeeping) began, in Unix seconds: a value that stops moving means those duties are stuck."})
	r.reg.MustRegister(r.timerPass)
	r.jiraUp = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "jira_up",
		Help: "1 once every Jira project setbot files into has answered its check, 0 while one does not (down, or refusing setbot's account)."})
	r.reg.MustRegister(r.jiraUp)
	return r
}

// counter registers a counter without labels.
func (r *Registry) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help})
	r.reg.MustRegister(c)
	return c
}

// counters registers a counter with one label and returns its children by
// value, created up front so that every series is exported from zero and a
// count is a map lookup and an atomic add.
func (r *Registry) counters(name, help, label string, values []string) map[string]prometheus.Counter {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, []string{label})
	r.reg.MustRegister(v)
	m := make(map[string]prometheus.Counter, len(values))
	for _, s := range values {
		m[s] = v.WithLabelValues(s)
	}
	return m
}

// Handler serves the registry in the Prometheus text format. A metric that
// cannot be read (the store) is left out and logged; the rest is served.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{
		ErrorLog:      logger{r.log},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      r.reg, // counts promhttp_metric_handler_errors_total
	})
}

// logger passes promhttp's errors to zerolog.
type logger struct{ log zerolog.Logger }

func (l logger) Println(v ...any) { l.log.Error().Msgf("metrics: %v", v) }

// Handled counts a post handled; kind is dm, channel or other.
func (r *Registry) Handled(kind string) { pick(r.handled, kind).Inc() }

// Duplicate counts a post dropped as already handled.
func (r *Registry) Duplicate() { r.duplicate.Inc() }

// Job counts one run of an outbox job of kind, its outcome (done, retry or
// dropped) and how long it took. kind must come from a fixed set (the job
// kinds setbot knows), never from input.
func (r *Registry) Job(kind, outcome string, took time.Duration) {
	if !slices.Contains(jobOutcomes, outcome) {
		outcome = "dropped"
	}
	r.jobs.WithLabelValues(kind, outcome).Inc()
	r.jobDuration.WithLabelValues(kind).Observe(took.Seconds())
}

// Filed counts a ticket filed.
func (r *Registry) Filed() { r.filed.Inc() }

// Paged counts a page ladder step: primary, backup or lead.
func (r *Registry) Paged(step string) { pick(r.pages, step).Inc() }

// Acked counts a page acknowledged.
func (r *Registry) Acked() { r.acked.Inc() }

// Reminded counts an incident reminder; lead says whether it mentioned the lead.
func (r *Registry) Reminded(lead bool) { r.reminders[lead].Inc() }

// Clicked counts a button click: ack, intake, snooze, report or other.
func (r *Registry) Clicked(action string) { pick(r.clicks, action).Inc() }

// TimerPass records when the newest finished pass of the timer loop began.
func (r *Registry) TimerPass(began time.Time) {
	r.timerPass.Set(float64(began.UnixNano()) / 1e9)
}

// JiraUp records whether Jira answers setbot's checks.
func (r *Registry) JiraUp(up bool) {
	v := 0.0
	if up {
		v = 1
	}
	r.jiraUp.Set(v)
}

// pick returns the counter of value, or of "other" for a value outside the set.
func pick(m map[string]prometheus.Counter, value string) prometheus.Counter {
	if c, ok := m[value]; ok {
		return c
	}
	return m["other"]
}
