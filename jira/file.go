package jira

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/setbot/setbot"
)

// Labels setbot puts on tickets besides the configured ones.
const (
	labelCustomer    = "customer-reported"
	labelCommunity   = "community"   // conversations.LabelCommunity: a community server, not a customer
	labelPriorityFmt = "priority-%s" // priority-L2
	// labelHandedOver marks a ticket that handover passed to another team:
	// the reports show it under "With other teams", not as SET's to own.
	labelHandedOver    = "handed-over"
	intakePropertyKey  = "setbot.intake"
	intakePropertyVers = 1
)

// fingerprintLabel is the intake's fingerprint as a Jira label (which
// cannot hold spaces).
func fingerprintLabel(in setbot.Intake) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, in.Fingerprint())
}

func priorityLabel(p setbot.Priority) string { return fmt.Sprintf(labelPriorityFmt, p) }

// browseURL is where a person opens the ticket.
func (c *Client) browseURL(key setbot.IssueKey) string { return c.cfg.URL + "/browse/" + string(key) }

// FileOnce files the intake's ticket exactly once. It looks for the
// intake's fingerprint label first; a ticket found there is finished
// (missing attachments, assignee and transition) instead of filed again.
// When creating fails with an unknown outcome (a timeout, a 5xx), it looks
// once more and, if the ticket is still not found (Jira Cloud's search index
// lags), returns EUnavailable: the caller's retry searches before creating.
func (c *Client) FileOnce(ctx context.Context, r setbot.TicketRequest) (setbot.Issue, error) {
	is, err := c.fileOnce(ctx, r)
	return is, c.public("file the ticket", err)
}

func (c *Client) fileOnce(ctx context.Context, r setbot.TicketRequest) (setbot.Issue, error) {
	meta, err := c.ensureMeta(ctx)
	if err != nil {
		return setbot.Issue{}, err
	}
	label := fingerprintLabel(r.Intake)
	found, err := c.findByLabel(ctx, label)
	if err != nil {
		return setbot.Issue{}, err
	}
	var notes []string
	if found == nil {
		key, n, err := c.create(ctx, r, meta, label)
		if isUnknown(err) {
			c.log.Warn().Str("intake", r.Intake.ID).Err(err).Msg("creating the ticket had an unknown outcome; looking for it before any retry")
			if found, err = c.findByLabel(ctx, label); err == nil && found == nil {
				return setbot.Issue{}, &apiError{op: "file the ticket", retryable: true, unknown: true,
					detail: "create outcome unknown and the fingerprint label is not found yet"}
			}
		}
		if err != nil {
			return setbot.Issue{}, err
		}
		if found == nil {
			found = &issueBean{Key: key, Fields: issueFields{Summary: summary(r.Intake)}}
		}
		notes = n
	}
	n, err := c.finish(ctx, r, meta, found)
	if err != nil {
		return setbot.Issue{}, err
	}
	out := c.issue(found)
	out.Notes = append(notes, n...)
	if n := len(out.Notes); n > 0 {
		c.log.Info().Str("issue", found.Key).Strs("notes", out.Notes).Msg("ticket filed with notes")
	}
	return out, nil
}

func (c *Client) issue(b *issueBean) setbot.Issue {
	key := setbot.IssueKey(b.Key)
	return setbot.Issue{Key: key, URL: c.browseURL(key), Summary: b.Fields.Summary, Status: b.Fields.status()}
}

// create files the ticket and returns its key.
func (c *Client) create(ctx context.Context, r setbot.TicketRequest, meta *projectMeta, label string) (string, []string, error) {
	in := r.Intake
	typeName := c.cfg.issueTypeName(in.Type)
	it, ok := meta.issueTypes[typeName]
	if !ok {
		return "", nil, setbot.Errorf(setbot.EUnconfigured, "jira.issue_types: Jira project %s has no issue type %q.", c.cfg.Project, typeName)
	}
	d := describer{in: in, files: map[string]setbot.TicketFile{}, tooLarge: map[string]bool{}, uploadLimit: meta.uploadLimit}
	var notes []string
	for _, f := range r.Files {
		name := attachName(f.Name)
		d.files[name] = f
		if !meta.attachments || f.Content.Len() > meta.uploadLimit {
			d.tooLarge[name] = true
			notes = append(notes, fmt.Sprintf("%s is too large for Jira (limit %s), so the ticket links to it in Mattermost.", f.Name, uploadLimitText(meta.uploadLimit)))
		}
	}
	labels := append(append([]string{label}, c.cfg.Labels...), in.Labels...)
	if strings.TrimSpace(in.Customer) != "" && !slices.Contains(in.Labels, labelCommunity) {
		labels = append(labels, labelCustomer)
	}
	if sig := signature(in, r.Files); sig != "" {
		labels = append(labels, sig)
	}
	fields := map[string]any{
		"project":     nameRef{Key: c.cfg.Project},
		"issuetype":   nameRef{ID: it.id},
		"summary":     summary(in),
		"description": d.describe(),
	}
	if in.Priority.Valid() {
		labels = append(labels, priorityLabel(in.Priority))
		if it.has("priority") {
			fields["priority"] = nameRef{Name: c.cfg.priorityName(in.Priority)}
		}
	}
	fields["labels"] = labels
	if comp := c.cfg.component(); comp != "" {
		fields["components"] = []nameRef{{Name: comp}}
	}
	if tf := c.cfg.TeamField; tf.ID != "" {
		fields[tf.ID] = teamValue(tf)
	}
	body := issueCreate{Fields: fields, Properties: []entityProperty{{Key: intakePropertyKey,
		Value: map[string]any{"version": intakePropertyVers, "intake": in.ID, "fingerprint": label}}}}
	var created createdIssue
	err := c.do(ctx, call{op: "create the ticket", method: http.MethodPost, path: apiPath("issue"), body: body}, &created)
	if err != nil {
		return "", nil, err
	}
	c.log.Info().Str("issue", created.Key).Str("intake", in.ID).Msg("ticket created")
	return created.Key, notes, nil
}

func teamValue(tf TeamField) any {
	if tf.Kind == "text" {
		return tf.Value
	}
	return map[string]string{"value": tf.Value}
}

// finish does the steps after creation that are missing on the ticket:
// attachments (by name), the assignee (only when nobody is assigned) and the
// transition (only when the ticket is not already there or done). Problems
// a person must fix become notes; transient ones are errors, so the caller's
// retry finishes the job.
func (c *Client) finish(ctx context.Context, r setbot.TicketRequest, meta *projectMeta, b *issueBean) ([]string, error) {
	key := setbot.IssueKey(b.Key)
	have := map[string]bool{}
	for _, a := range b.Fields.Attachment {
		have[a.Filename] = true
	}
	var missing []setbot.TicketFile
	for _, f := range r.Files {
		if name := attachName(f.Name); !have[name] && meta.attachments && f.Content.Len() <= meta.uploadLimit {
			missing = append(missing, f)
		}
	}
	notes, err := c.attach(ctx, key, missing)
	if err != nil {
		return nil, err
	}
	if !b.Fields.assigned() && (r.Assignee != "" || r.AssigneeEmail != "") {
		if err := c.assign(ctx, key, r.Assignee, r.AssigneeEmail); err != nil {
			if setbot.ErrorCode(err) == setbot.EUnavailable {
				return nil, err
			}
			notes = append(notes, setbot.ErrorMessage(err))
		}
	}
	if !c.routed && !strings.EqualFold(b.Fields.status(), c.cfg.InProgressStatus) && !b.Fields.done() {
		status, err := c.moveTo(ctx, key, c.cfg.InProgressStatus)
		switch {
		case setbot.ErrorCode(err) == setbot.EUnavailable:
			return nil, err
		case err != nil:
			notes = append(notes, setbot.ErrorMessage(err))
		default:
			b.Fields.Status = &statusBean{Name: status}
		}
	}
	return notes, nil
}

// attach uploads files one per request, so that a retry can tell by name
// which are missing. A file Jira refuses as too large (413) is linked in a
// comment instead.
func (c *Client) attach(ctx context.Context, key setbot.IssueKey, files []setbot.TicketFile) ([]string, error) {
	var notes []string
	for _, f := range files {
		up := f
		up.Name = attachName(f.Name)
		err := c.do(ctx, call{op: "attach " + up.Name + " to " + string(key), method: http.MethodPost,
			path: apiPath("issue/%s/attachments", key), upload: &up}, nil)
		if statusOf(err) == http.StatusRequestEntityTooLarge {
			text := fmt.Sprintf("%s was too large for Jira to accept; it stays in Mattermost: %s", inline(f.Name), link(f.Name, f.Link))
			if cerr := c.comment(ctx, key, text); cerr != nil {
				return nil, cerr
			}
			notes = append(notes, fmt.Sprintf("Jira refused %s as too large; the ticket links to it in Mattermost.", f.Name))
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	return notes, nil
}

// moveTo transitions the ticket to the status named target and returns it.
func (c *Client) moveTo(ctx context.Context, key setbot.IssueKey, target string) (string, error) {
	var tl transitionList
	if err := c.do(ctx, call{op: "read the transitions of " + string(key), method: http.MethodGet,
		path: apiPath("issue/%s/transitions", key)}, &tl); err != nil {
		return "", err
	}
	for _, t := range tl.Transitions {
		if strings.EqualFold(t.To.Name, target) {
			err := c.do(ctx, call{op: "move " + string(key) + " to " + target, method: http.MethodPost,
				path: apiPath("issue/%s/transitions", key), body: transitionReq{Transition: nameRef{ID: t.ID}}, idempotent: true}, nil)
			return t.To.Name, err
		}
	}
	return "", setbot.Errorf(setbot.EUnconfigured, "%s cannot move to %q from its current status in Jira's workflow (jira.in_progress_status); please move it by hand.", key, target)
}

func (c *Client) comment(ctx context.Context, key setbot.IssueKey, text string) error {
	text = fitDescription(text)
	return c.do(ctx, call{op: "comment on " + string(key), method: http.MethodPost,
		path: apiPath("issue/%s/comment", key), body: commentReq{Body: text}}, nil)
}
