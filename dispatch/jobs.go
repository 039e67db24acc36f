package dispatch

// jobSpecs lists every kind of job the outbox holds, with its lane and
// runner. The kinds are stored with each job, so they are an on-disk
// contract: never rename or remove one (a job of an unknown kind left by a
// newer setbot is reported and kept). TestStoredJobKindsStay holds the
// list of names that must keep running.
var jobSpecs = map[string]jobSpec{
	jobPost:            {laneChat, runPost},
	jobPageThread:      {laneChat, runPageThread},
	jobPageTicket:      {laneChat, runPageTicket},
	jobIncidentPost:    {laneChat, runIncidentPost},
	jobInvite:          {laneChat, runInvite},
	jobFile:            {laneSlow, runFile},
	jobAddTo:           {laneSlow, runAddTo},
	jobTicketOp:        {laneSlow, runTicketOp},
	jobIncidentComment: {laneSlow, runIncidentComment},
	jobPageHook:        {laneSlow, runPageHook},
	jobReport:          {laneSlow, runReportJob},
	// The search runs in a lane of its own, bounded by similarTimeout, so
	// that a person waiting for the review is not queued behind slow filings.
	jobSimilar: {laneLookup, runSimilar},
}
