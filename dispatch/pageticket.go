package dispatch

import (
	"context"
	"fmt"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// jobPageTicket tells the people an automatic page already reached which
// ticket it is about, once the ticket is filed. Payload: pageTicket.
// Persisted: never rename.
const jobPageTicket = "page-ticket"

// pageTicket is the payload of a jobPageTicket job.
type pageTicket struct {
	Page string `json:"page"`
}

// ticketLink is a page's ticket as a Markdown link ("" when none yet).
func ticketLink(p setbot.Page) string {
	switch {
	case p.Issue == "":
		return ""
	case p.IssueURL == "":
		return string(p.Issue)
	}
	return fmt.Sprintf("[%s](%s)", p.Issue, p.IssueURL)
}

// runPageTicket DMs each person the page has paged so far the ticket's
// link. Each DM has its own idempotency key, so a retry after a partial
// run does not repeat the ones sent.
func runPageTicket(ctx context.Context, d *core, j store.Job, pt pageTicket) error {
	p, ok, err := d.db.Page(pt.Page)
	if err != nil || !ok || p.Acked() {
		return err // a page pruned or acknowledged meanwhile: nobody needs it
	}
	for i, name := range p.Targets {
		if name == "" {
			continue
		}
		u, err := d.chat.UserByName(ctx, name)
		if err != nil {
			if setbot.ErrorCode(err) == setbot.ENotFound {
				continue
			}
			return err
		}
		text := fmt.Sprintf("The page you got from `@%s` now has its ticket: %s. Thread: %s", p.By, ticketLink(p), d.chat.Permalink(p.Root))
		if _, err := d.postOnce(ctx, j, setbot.Reply{To: u.ID, Text: text}, fmt.Sprintf("%s-%d", jobKey(j), i)); err != nil {
			return err
		}
	}
	return nil
}
