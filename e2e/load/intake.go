package load

import (
	"context"
	"fmt"
	"time"

	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/e2e/mmtest"
)

// FirstMessage opens the standard intake (cmd/setbot/e2e_rig_test.go
// highCPUIntake).
const FirstMessage = "Customer Acme on 10.11.4 with PostgreSQL 14.5: the server has high CPU since the upgrade"

// Step is one message (or file) and the text setbot's answer must contain.
type Step struct {
	Text string
	File string // config.json, mattermost.log or cpu.pprof
	Want string
}

// Steps is the standard intake, files included: text only, no buttons (a
// click while setbot is down fails in the person's client). tag makes the
// summary unique, so no intake is "similar" to another and setbot answers
// every one the same way. The load tool and the fault suite both run it.
func Steps(tag string) []Step {
	summary := fmt.Sprintf("%salpha %sbravo %scharlie %sdelta stalls", tag, tag, tag, tag)
	return []Step{
		{Text: FirstMessage, Want: "Shall I open a SET ticket"},
		{Text: "start", Want: "one-line summary"},
		{Text: summary, Want: "What exactly is affected"},
		{Text: "server: GET /api/v4/users/me takes 20 s", Want: "Which customer"},
		{Text: "Acme Corp, about 2,000 of 5,000 users", Want: "What can those users not do"},
		{Text: "nobody can post during business hours; no workaround", Want: "bug, a feature request"},
		{Text: "bug", Want: "Which priority"},
		{Text: "L3", Want: "config.json"},
		{File: "config.json", Want: "redacted"},
		{File: "mattermost.log", Want: "Any more"},
		{Text: "done", Want: "CPU profile"},
		{File: "cpu.pprof", Want: "Anything else"},
		{Text: "skip", Want: "Please check the ticket"},
		{Text: "confirm", Want: "Filed [SET-"},
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
	bystep = make([][]time.Duration, len(Steps("")))
	for r := range rounds {
		tag := fmt.Sprintf("%sr%d", p.User.Username, r+1)
		for i, s := range Steps(tag) {
			var ids []string
			if s.File != "" {
				id, err := p.Upload(ctx, dm, s.File, fs[s.File])
				if err != nil {
					return text, uploads, bystep, early, fmt.Errorf("%s step %d: %w", tag, i+1, err)
				}
				ids = append(ids, id)
			}
			mark := p.Mark()
			answer := mmtest.Containing(fromBot, s.Want)
			sent := time.Now()
			if _, err := p.Post(ctx, dm, "", s.Text, ids...); err != nil {
				return text, uploads, bystep, early, fmt.Errorf("%s step %d: %w", tag, i+1, err)
			}
			if len(p.Matching(mark, answer)) > 0 {
				early++
			}
			if _, err := p.WaitFor(ctx, mark, answer, within); err != nil {
				return text, uploads, bystep, early, fmt.Errorf("%s step %d (%q): no answer with %q: %w", tag, i+1, s.Text+s.File, s.Want, err)
			}
			took := time.Since(sent)
			bystep[i] = append(bystep[i], took)
			if s.File != "" {
				uploads = append(uploads, took)
			} else {
				text = append(text, took)
			}
			tick <- struct{}{}
		}
	}
	return text, uploads, bystep, early, nil
}
