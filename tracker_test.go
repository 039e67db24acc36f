package setbot

import (
	"context"
	"testing"
)

// plainTracker implements Tracker only; onceTracker adds OnceCommenter.
type plainTracker struct {
	Tracker
	comments, handovers []string
}

func (p *plainTracker) Comment(_ context.Context, key IssueKey, text string, _ []TicketFile) error {
	p.comments = append(p.comments, string(key)+":"+text)
	return nil
}

func (p *plainTracker) Handover(_ context.Context, key IssueKey, team, _ string) error {
	p.handovers = append(p.handovers, string(key)+":"+team)
	return nil
}

type onceTracker struct {
	plainTracker
	refs []string
}

func (o *onceTracker) CommentOnce(_ context.Context, key IssueKey, ref, text string, _ []TicketFile) error {
	o.refs = append(o.refs, "comment:"+ref)
	return nil
}

func (o *onceTracker) HandoverOnce(_ context.Context, key IssueKey, ref, team, _ string) error {
	o.refs = append(o.refs, "handover:"+ref)
	return nil
}

func TestCommentOnceUsesOnceCommenterElseFallsBack(t *testing.T) {
	ctx := context.Background()
	p := &plainTracker{}
	if err := CommentOnce(ctx, p, "SET-1", "r1", "hi", nil); err != nil {
		t.Fatal(err)
	}
	if err := HandoverOnce(ctx, p, "SET-1", "r2", "platform", ""); err != nil {
		t.Fatal(err)
	}
	if len(p.comments) != 1 || len(p.handovers) != 1 {
		t.Fatalf("fallback: %+v", p)
	}
	o := &onceTracker{}
	CommentOnce(ctx, o, "SET-1", "r1", "hi", nil)
	HandoverOnce(ctx, o, "SET-1", "r2", "platform", "")
	if len(o.comments) != 0 || len(o.handovers) != 0 || len(o.refs) != 2 || o.refs[0] != "comment:r1" || o.refs[1] != "handover:r2" {
		t.Fatalf("once: %+v", o)
	}
}
