package dispatch

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/setbot/setbot/store"
)

// jobSpecs lists every kind of job the outbox holds, with its lane and
// runner. The kinds are stored with each job, so they are an on-disk
// contract: never rename or remove one (a job of an unknown kind left by a
// newer setbot is reported and kept). TestStoredJobKindsStay holds the
// list of names that must keep running.
var jobSpecs = map[string]jobSpec{
	jobPost:            {laneChat, job(runPost)},
	jobPagePost:        {lanePage, job(runPost)},
	jobPageThread:      {laneChat, job(runPageThread)},
	jobPageTicket:      {laneChat, job(runPageTicket)},
	jobIncidentPost:    {laneChat, job(runIncidentPost)},
	jobInvite:          {laneChat, job(runInvite)},
	jobFile:            {laneSlow, job(runFile)},
	jobAddTo:           {laneSlow, job(runAddTo)},
	jobTicketOp:        {laneSlow, job(runTicketOp)},
	jobIncidentComment: {laneSlow, job(runIncidentComment)},
	jobPageHook:        {laneSlow, job(runPageHook)},
	jobReport:          {laneSlow, job(runReportJob)},
	jobAskSweep:        {laneChat, job(runAskSweep)},
	jobStaleDigest:     {laneSlow, job(runStaleDigest)},
	jobTriage:          {laneSlow, job(runTriageJob)},
	jobStats:           {laneSlow, job(runStatsJob)},
	jobAnnounce:        {laneChat, job(runAnnounce)},
	// The search runs in a lane of its own, bounded by similarTimeout, so
	// that a person waiting for the review is not queued behind slow filings.
	jobSimilar: {laneLookup, job(runSimilar)},
}

// job makes a job kind's runner from a function of its payload type: the
// payload is decoded here, once for every kind.
func job[T any](run func(ctx context.Context, d *core, j store.Job, payload T) error) func(context.Context, *core, store.Job) error {
	return func(ctx context.Context, d *core, j store.Job) error {
		var p T
		if err := json.Unmarshal(j.Payload, &p); err != nil {
			return fmt.Errorf("decode %s job: %w", j.Kind, err)
		}
		return run(ctx, d, j, p)
	}
}

// jiraJobs are the job kinds that call Jira: JiraBack brings them forward.
var jiraJobs = map[string]bool{jobFile: true, jobAddTo: true, jobTicketOp: true, jobIncidentComment: true,
	jobReport: true, jobStaleDigest: true, jobTriage: true, jobSimilar: true}

// JiraBack is called when Jira answers setbot again after refusing or not
// answering: the jobs waiting for Jira run now instead of after their
// backoff (up to five minutes). Safe for concurrent use.
func (d *Dispatcher) JiraBack() {
	n, err := d.c.db.RetrySoon(d.c.now(), func(kind string) bool { return jiraJobs[kind] })
	if err != nil {
		d.c.log.Error().Err(err).Msg("bring the Jira jobs forward")
		return
	}
	if n > 0 {
		d.c.log.Info().Int("jobs", n).Msg("Jira is back: its waiting jobs run now")
		d.c.kick()
	}
}
