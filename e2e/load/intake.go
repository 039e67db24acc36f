package load

import (
	"context"
	"fmt"
	"time"

	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/e2e/mmtest"
)

// firstMessage opens the standard intake (cmd/setbot/e2e_rig_test.go
// highCPUIntake).
const firstMessage = "Customer Acme on 10.11.4 with PostgreSQL 14.5: the server has high CPU since the upgrade"

// step is one message (or file) and the text setbot's answer must contain.
type step struct {
	text string
	file string // config.json, mattermost.log or cpu.pprof
	want string
}

// steps is the standard intake of the e2e suite (cmd/setbot/
// e2e_fault_intake_test.go intaker.steps), files included: text only, no
// buttons. tag makes the summary unique, so no intake is "similar" to
// another and setbot answers every one the same way.
func steps(tag string) []step {
	summary := fmt.Sprintf("%salpha %sbravo %scharlie %sdelta stalls", tag, tag, tag, tag)
	return []step{
		{text: firstMessage, want: "Shall I open a SET ticket"},
		{text: "start", want: "one-line summary"},
		{text: summary, want: "What exactly is affected"},
		{text: "server: GET /api/v4/users/me takes 20 s", want: "Which customer"},
		{text: "Acme Corp, about 2,000 of 5,000 users", want: "What can those users not do"},
		{text: "nobody can post during business hours; no workaround", want: "bug, a feature request"},
		{text: "bug", want: "Which priority"},
		{text: "L3", want: "config.json"},
		{file: "config.json", want: "redacted"},
		{file: "mattermost.log", want: "Any more"},
		{text: "done", want: "CPU profile"},
		{file: "cpu.pprof", want: "Anything else"},
		{text: "skip", want: "Please check the ticket"},
		{text: "confirm", want: "Filed [SET-"},
	}
}

// files are the standard intake's uploads, made once.
type files map[string][]byte

func makeFiles() (files, error) {
	cpu, err := artifactstest.CPUProfile()
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return files{
		"config.json":    mmtest.ConfigJSON(),
		"mattermost.log": artifactstest.JSONLog(200),
		"cpu.pprof":      cpu,
	}, nil
}

// intake runs rounds standard intakes by DM as p, one after the other,
// and returns the latency of every answer, to text messages and to uploads
// apart, and again by step index in bystep. The latency runs from just
// before the post is sent to the answer arriving on p's websocket (when
// WaitFor sees it): not from the post's creation returning, because under
// load the answer often arrives before that, which would read as zero. An
// upload happens before the post and is not part of it. early counts the
// answers that had arrived before the post returned. After each answer it
// sends on tick, which must have room for every answer.
func intake(ctx context.Context, p *mmtest.Person, fs files, rounds int, within time.Duration, tick chan<- struct{}) (text, uploads []time.Duration, bystep [][]time.Duration, early int, err error) {
	dm, err := p.DMChannel(ctx)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	fromBot := p.FromBot(dm, "")
	bystep = make([][]time.Duration, len(steps("")))
	for r := range rounds {
		tag := fmt.Sprintf("%sr%d", p.User.Username, r+1)
		for i, s := range steps(tag) {
			var ids []string
			if s.file != "" {
				id, err := p.Upload(ctx, dm, s.file, fs[s.file])
				if err != nil {
					return text, uploads, bystep, early, fmt.Errorf("%s step %d: %w", tag, i+1, err)
				}
				ids = append(ids, id)
			}
			mark := p.Mark()
			answer := mmtest.Containing(fromBot, s.want)
			sent := time.Now()
			if _, err := p.Post(ctx, dm, "", s.text, ids...); err != nil {
				return text, uploads, bystep, early, fmt.Errorf("%s step %d: %w", tag, i+1, err)
			}
			if len(p.Matching(mark, answer)) > 0 {
				early++
			}
			if _, err := p.WaitFor(ctx, mark, answer, within); err != nil {
				return text, uploads, bystep, early, fmt.Errorf("%s step %d (%q): no answer with %q: %w", tag, i+1, s.text+s.file, s.want, err)
			}
			took := time.Since(sent)
			bystep[i] = append(bystep[i], took)
			if s.file != "" {
				uploads = append(uploads, took)
			} else {
				text = append(text, took)
			}
			tick <- struct{}{}
		}
	}
	return text, uploads, bystep, early, nil
}
