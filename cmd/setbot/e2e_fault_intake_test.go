//go:build e2e

package main

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/e2e/load"
	"github.com/setbot/setbot/e2e/mmtest"
)

// intaker runs the standard intake by DM from a goroutine: it returns
// errors instead of failing the test, and keeps the longest wait for an
// answer.
type intaker struct {
	p       *mmtest.Person
	dm      string
	tag     string // unique words of its summary, so no intake is "similar" to another
	fromBot mmtest.Match
	longest time.Duration
	key     string // the ticket filed
	// answered, when set, counts the answers every intaker got, so that a
	// test can act when the intakes are a given way through.
	answered *atomic.Int64
}

func newIntaker(ctx context.Context, w *mmtest.World, name string) (*intaker, error) {
	p, err := w.Person(ctx, name)
	if err != nil {
		return nil, err
	}
	dm, err := p.DMChannel(ctx)
	if err != nil {
		p.Close()
		return nil, err
	}
	return &intaker{p: p, dm: dm, tag: name, fromBot: p.FromBot(dm, "")}, nil
}

// steps is the standard intake, text only (package load's, which the load
// tool runs too), with the intaker's unique summary.
func (in *intaker) steps() []load.Step { return load.Steps(in.tag) }

// run takes every step, waiting up to within for each answer.
func (in *intaker) run(ctx context.Context, within time.Duration) error {
	for i, s := range in.steps() {
		mark := in.p.Mark()
		start := time.Now()
		if err := in.send(ctx, s); err != nil {
			return fmt.Errorf("%s step %d: %w", in.tag, i+1, err)
		}
		got, err := in.p.WaitFor(ctx, mark, mmtest.Containing(in.fromBot, s.Want), within)
		if err != nil {
			return fmt.Errorf("%s step %d (%q): no answer with %q: %w\nrecent: %s", in.tag, i+1, s.Text+s.File, s.Want, err, in.p.Recent(4))
		}
		in.longest = max(in.longest, time.Since(start))
		if in.answered != nil {
			in.answered.Add(1)
		}
		if k, ok := strings.CutPrefix(got.Message[strings.Index(got.Message, s.Want):], "Filed ["); ok && s.Want == "Filed [SET-" {
			in.key, _, _ = strings.Cut(k, "]")
		}
	}
	return nil
}

func (in *intaker) send(ctx context.Context, s load.Step) error {
	var files []string
	if s.File != "" {
		data, err := fileFor(s.File)
		if err != nil {
			return err
		}
		id, err := in.p.Upload(ctx, in.dm, s.File, data)
		if err != nil {
			return err
		}
		files = append(files, id)
	}
	_, err := in.p.DM(ctx, s.Text, files...)
	return err
}

// fileFor is the content of a standard intake file.
func fileFor(name string) ([]byte, error) {
	switch name {
	case "config.json":
		return mmtest.ConfigJSON(), nil
	case "mattermost.log":
		return artifactstest.JSONLog(200), nil
	case "cpu.pprof":
		return artifactstest.CPUProfile()
	}
	return nil, fmt.Errorf("no standard file %q", name)
}

// duplicateReplies counts setbot's posts in the DM since since that repeat
// another's job ref (the same answer posted twice).
func (in *intaker) duplicateReplies(ctx context.Context, bot string, since time.Time) (int, error) {
	list, _, err := in.p.API.GetPostsSince(ctx, in.dm, since.UnixMilli(), false)
	if err != nil {
		return 0, err
	}
	return duplicatesByRef(list, bot), nil
}

// duplicatesByRef counts the posts by bot in list whose setbot_ref another
// post by bot already carries.
func duplicatesByRef(list *model.PostList, bot string) int {
	seen := map[string]bool{}
	dups := 0
	for _, p := range list.Posts {
		ref, _ := p.GetProp("setbot_ref").(string)
		if p.UserId != bot || ref == "" {
			continue
		}
		if seen[ref] {
			dups++
		}
		seen[ref] = true
	}
	return dups
}
