package dispatch

// Issue 5 (commands on existing Jira tickets) lives in this file: the
// commands check everything they can before Jira is called, then queue a
// durable ticketOp job (ticketjob.go) that calls Jira and answers in the
// command's thread.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// ticketCommands are assign, priority and handover.
func (*tickets) commands() []command {
	return []command{
		{name: "assign", usage: "assign KEY @user", summary: "assign a Jira ticket (`none` unassigns; SET members)", where: inSET, run: runAssign},
		{name: "priority", aliases: []string{"prio"}, usage: "priority KEY L1|L2|L3|L4", summary: "change a Jira ticket's priority (SET members)", where: inSET, run: runPriority},
		{name: "handover", aliases: []string{"hand-over"}, usage: "handover KEY <team> [note]", summary: "hand a Jira ticket to the owning team; SET stays the contact (SET members)", where: inSET, run: runHandover},
	}
}

// clipArg keeps an echoed argument short and free of markup that breaks out
// of a code span.
func clipArg(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// ticketPreamble runs the checks every ticket command shares: Jira is
// configured, the person is a SET member, the key is well formed.
func (d *tickets) ticketPreamble(ctx context.Context, r request, want int, usage string) (setbot.IssueKey, error) {
	if d.ext.Tracker == nil {
		return "", setbot.Errorf(setbot.EUnconfigured, "Jira is not configured for setbot yet, so I cannot change tickets. Ask whoever runs setbot to add the [jira] table.")
	}
	if err := d.checkMember(ctx, r.msg.UserID); err != nil {
		return "", err
	}
	if len(r.args) < want {
		return "", setbot.Errorf(setbot.EInvalid, "Write it as `@%s %s`.", d.cfg.Bot.Username, usage)
	}
	return d.issueKey(r.args[0])
}

func runAssign(ctx context.Context, d *core, r request) (outcome, error) {
	key, err := d.tickets.ticketPreamble(ctx, r, 2, "assign SET-123 @alice")
	if err != nil {
		return outcome{}, err
	}
	if len(r.args) != 2 {
		return outcome{}, setbot.Errorf(setbot.EInvalid, "Assign to one person: `@%s assign %s @alice`, or `none` to unassign.", d.cfg.Bot.Username, key)
	}
	op := ticketOp{Op: opAssign, Key: key}
	name := strings.TrimPrefix(strings.TrimSpace(r.args[1]), "@")
	if !strings.EqualFold(name, "none") && !strings.EqualFold(name, "nobody") {
		u, err := d.person(ctx, name)
		if err != nil {
			return outcome{}, err
		}
		op.User, op.Email = u.Username, u.Email
	}
	return d.tickets.queueTicketOp(r, op), nil
}

func runPriority(ctx context.Context, d *core, r request) (outcome, error) {
	key, err := d.tickets.ticketPreamble(ctx, r, 2, "priority SET-123 L2")
	if err != nil {
		return outcome{}, err
	}
	p, err := setbot.ParsePriority(strings.Join(r.args[1:], " "))
	if err != nil {
		return outcome{}, setbot.Errorf(setbot.EInvalid, "Give a priority of L1, L2, L3 or L4: `@%s priority %s L2`.", d.cfg.Bot.Username, key)
	}
	return d.tickets.queueTicketOp(r, ticketOp{Op: opPriority, Key: key, Priority: p}), nil
}

func runHandover(ctx context.Context, d *core, r request) (outcome, error) {
	key, err := d.tickets.ticketPreamble(ctx, r, 2, "handover SET-123 <team>")
	if err != nil {
		return outcome{}, err
	}
	team, ok := d.tickets.handoverTeam(r.args[1])
	if !ok {
		if len(d.ext.HandoverTeams) == 0 {
			return outcome{}, setbot.Errorf(setbot.EUnconfigured, "No teams are configured for handover yet: ask whoever runs setbot to fill [jira.handover_teams].")
		}
		return outcome{}, setbot.Errorf(setbot.EInvalid, "I don't know the team %q. Teams I can hand over to: %s.", clipArg(r.args[1]), teamList(d.ext.HandoverTeams))
	}
	comment := fmt.Sprintf("Requested by @%s in Mattermost.", r.msg.Username)
	if note := afterFields(r.rest, 2); note != "" {
		comment += "\n" + note
	}
	o := d.tickets.queueTicketOp(r, ticketOp{Op: opHandover, Key: key, Team: team, Comment: comment})
	return d.tickets.inviteOnHandover(o, key, team)
}

// afterFields is s without its first n words, as typed (newlines kept).
func afterFields(s string, n int) string {
	s = strings.TrimSpace(s)
	for range n {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			return ""
		}
		s = strings.TrimSpace(s[i:])
	}
	return s
}

// handoverTeam finds a configured team by name, in any case.
func (d *tickets) handoverTeam(name string) (string, bool) {
	for _, t := range d.ext.HandoverTeams {
		if strings.EqualFold(t, strings.TrimSpace(name)) {
			return t, true
		}
	}
	return "", false
}

func teamList(teams []string) string {
	s := slices.Clone(teams)
	slices.Sort(s)
	for i, t := range s {
		s[i] = "`" + clipArg(t) + "`"
	}
	return strings.Join(s, ", ")
}

// queueTicketOp commits the Jira call as a durable job with the post's
// handled mark; the job answers in the command's thread.
func (d *tickets) queueTicketOp(r request, op ticketOp) outcome {
	op.By, op.Channel, op.Root = r.msg.Username, r.msg.ChannelID, r.msg.ThreadID()
	return outcome{apply: func(tx *store.Tx) error {
		_, err := tx.Enqueue(jobTicketOp, string(r.msg.ID), op, tx.Now())
		return err
	}}
}
