package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/e2e/mmtest"
)

// replyWithin bounds each wait for setbot's answer.
const replyWithin = 30 * time.Second

// turn is one thing the support engineer does, and what setbot's answer
// must contain.
type turn struct {
	text   string // a DM, or a button label when click is set
	click  bool
	file   string // upload this file (text is ignored)
	data   func() ([]byte, error)
	expect string
}

func bytesOf(b []byte) func() ([]byte, error) { return func() ([]byte, error) { return b, nil } }

// script is the intake the demo plays: a high-CPU problem on a named version
// and database, with a real config.json (secrets included, for setbot to
// redact), a log, a wrong file and then a real CPU profile.
var script = []turn{
	{text: "Customer Acme on 10.11.4 with PostgreSQL 14.5: the server has high CPU since the upgrade", expect: "Shall I open a SET ticket"},
	{text: "Start", click: true, expect: "one-line summary"},
	{text: "ok", expect: "What exactly is affected"},
	{text: "server: GET /api/v4/users/me takes 20 s", expect: "Which customer"},
	{text: "Acme Corp, about 2,000 of 5,000 users", expect: "What can those users not do"},
	{text: "nobody can post during business hours; no workaround", expect: "bug, a feature request"},
	{text: "bug", expect: "Which priority"},
	{text: "L2", expect: "config.json"},
	{file: "config.json", data: bytesOf(mmtest.ConfigJSON()), expect: "redacted"},
	{file: "mattermost.log", data: bytesOf(artifactstest.JSONLog(200)), expect: "Any more"},
	{text: "done", expect: "CPU profile"},
	{file: "cpu.pprof", data: bytesOf(artifactstest.PNG()), expect: "PNG image"},
	{file: "cpu.pprof", data: artifactstest.CPUProfile, expect: "Anything else"},
	{text: "skip", expect: "Please check the ticket"},
	{text: "confirm", expect: "Filed [SET-"},
}

// play runs the script as support1 and prints the conversation and ticket.
func play(ctx context.Context, w *mmtest.World, jiraURL string) error {
	p, err := w.Person(ctx, "support1")
	if err != nil {
		return err
	}
	defer p.Close()
	dm, err := p.DMChannel(ctx)
	if err != nil {
		return err
	}
	start := p.Mark()
	var last *model.Post
	fmt.Println("Playing support1 through an intake in a DM with @setbot ...")
	for _, t := range script {
		mark := p.Mark()
		if err := act(ctx, p, dm, last, t); err != nil {
			return err
		}
		last, err = p.WaitFor(ctx, mark, mmtest.Containing(p.FromBot(dm, ""), t.expect), replyWithin)
		if err != nil {
			return fmt.Errorf("setbot did not answer as expected (looked for %q): %w\n(setbot's log: see the path printed by make demo)", t.expect, err)
		}
	}
	fmt.Println("\n================ the conversation ================")
	for _, post := range p.Matching(start, func(post *model.Post) bool { return post.ChannelId == dm }) {
		printPost(w, post)
	}
	fmt.Println("\n================ the ticket in the Jira stand-in ================")
	return printIssues(ctx, jiraURL)
}

func act(ctx context.Context, p *mmtest.Person, dm string, last *model.Post, t turn) error {
	switch {
	case t.click:
		return p.Click(ctx, last, t.text)
	case t.file != "":
		data, err := t.data()
		if err != nil {
			return err
		}
		id, err := p.Upload(ctx, dm, t.file, data)
		if err != nil {
			return err
		}
		_, err = p.DM(ctx, "", id)
		return err
	default:
		_, err := p.DM(ctx, t.text)
		return err
	}
}

func printPost(w *mmtest.World, post *model.Post) {
	who := "support1"
	if post.UserId == w.Bot.Id {
		who = "setbot"
	}
	text := post.Message
	if len(post.FileIds) > 0 {
		text = strings.TrimSpace(text + fmt.Sprintf(" [%d file(s) attached]", len(post.FileIds)))
	}
	fmt.Printf("\n%s:\n", who)
	for _, line := range strings.Split(text, "\n") {
		fmt.Println("    " + line)
	}
	for _, a := range post.Attachments() {
		for _, act := range a.Actions {
			fmt.Printf("    [button: %s]\n", act.Name)
		}
	}
}

// filed is the part of the stand-in's /_fake/issues the demo prints.
type filed struct {
	Key, IssueType, Summary, Description, Priority, Status, Assignee string
	Labels                                                           []string
	Attachments                                                      []struct {
		Filename string
		Size     int
	}
}

func printIssues(ctx context.Context, jiraURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(jiraURL, "/")+"/_fake/issues", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("read the Jira stand-in: %w", err)
	}
	defer resp.Body.Close()
	var issues []filed
	if err := json.NewDecoder(resp.Body).Decode(&issues); err != nil {
		return fmt.Errorf("decode the Jira stand-in's issues: %w", err)
	}
	for _, is := range issues {
		fmt.Printf("%s  [%s] %s\n  priority %s · status %s · assignee %s · labels %s\n  attachments:",
			is.Key, is.IssueType, is.Summary, is.Priority, is.Status, is.Assignee, strings.Join(is.Labels, ", "))
		for _, a := range is.Attachments {
			fmt.Printf(" %s (%d bytes)", a.Filename, a.Size)
		}
		fmt.Printf("\n  description:\n")
		for _, line := range strings.Split(is.Description, "\n") {
			fmt.Println("    " + line)
		}
	}
	return nil
}
