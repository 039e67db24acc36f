package dispatch

import (
	"context"
	"slices"
	"strings"

	"github.com/setbot/setbot"
)

// Who may do what. Every check is by the Mattermost user ID of the person
// who acts (a post's author, a click's user), matched against the accounts
// the listed usernames resolve to (people.go): a name shown on a post, a
// webhook's username or a button request's user_name grants nothing.
//
//	ack                         the people the page paged, this and last week's rotation, admins
//	incident, resolve, snooze   SET members, admins, the incident's owner
//	update                      the above, and the reporter of the intake that filed the ticket
//	report                      SET members and admins
//	assign, priority, handover  SET members and admins
//	override, swap, Assign all  the current and next leads, admins

// setMembers are everybody on the rotation last week, this week and the next
// upcomingWeeks-1 weeks, and the rotation admins.
func (d *core) setMembers() ([]setbot.Username, error) {
	ro, err := d.roster()
	if err != nil {
		return nil, err
	}
	// From last week on: the outgoing team still finishes its hand-over.
	us := ro.Users(d.now().AddDate(0, 0, -7), upcomingWeeks+1)
	for _, a := range d.cfg.Rotation.Admins {
		if !slices.Contains(us, a) {
			us = append(us, a)
		}
	}
	return us, nil
}

// checkMember returns nil when the account id is a SET member, else an
// EForbidden sentence naming who can (without notifying them).
func (d *core) checkMember(ctx context.Context, id setbot.UserID) error {
	us, err := d.setMembers()
	if err != nil {
		return err
	}
	if d.isOneOf(ctx, id, us) {
		return nil
	}
	return refusal("only SET members (the people on the SET rotation and its admins) can do that through me", us)
}

// refusal is an EForbidden sentence: what is allowed, and at most
// refusalNames of the people who may, named without notifying them.
func refusal(rule string, who []setbot.Username) error {
	if len(who) == 0 {
		return setbot.Errorf(setbot.EForbidden, "Sorry, %s, and the rotation names nobody yet: ask whoever runs setbot to fill [rotation].", rule)
	}
	return setbot.Errorf(setbot.EForbidden, "Sorry, %s. Please ask %s.", rule, someOf(who))
}

// someOf names at most three of who, without notifying them, and says
// when there are more.
func someOf(who []setbot.Username) string {
	const most = 3
	names := make([]string, 0, most)
	for _, u := range who[:min(len(who), most)] {
		names = append(names, seat(u))
	}
	more := ""
	if len(who) > most {
		more = ", or another SET member"
	}
	return strings.Join(names, ", ") + more
}

// errMayNotAck refuses an acknowledgement from someone the page does not concern.
var errMayNotAck = setbot.Errorf(setbot.EForbidden, "Only the people this page paged, this week's and last week's SET team, and the rotation admins can acknowledge it.")

// mayAck reports whether the account id may acknowledge p: someone it
// paged at any step, anyone on this week's or last week's rotation, or a
// rotation admin.
func (d *paging) mayAck(ctx context.Context, id setbot.UserID, p setbot.Page) bool {
	if d.isOneOf(ctx, id, p.Targets[:]) || d.isOneOf(ctx, id, d.cfg.Rotation.Admins) {
		return true
	}
	ro, err := d.roster()
	if err != nil {
		d.log.Error().Err(err).Msg("acknowledge: roster")
		return false
	}
	return d.isOneOf(ctx, id, ro.Users(d.now().AddDate(0, 0, -7), 2))
}

// checkIncidentRight allows SET members and the incident's owner to track,
// resolve and snooze key; with update, also the person whose intake filed
// its ticket.
func (d *incidents) checkIncidentRight(ctx context.Context, id setbot.UserID, key setbot.IssueKey, update bool) error {
	err := d.checkMember(ctx, id)
	if setbot.ErrorCode(err) != setbot.EForbidden {
		return err
	}
	in, ok, rerr := d.db.Incident(key)
	if rerr != nil {
		return rerr
	}
	if ok && (d.isOneOf(ctx, id, []setbot.Username{in.Owner}) || update && in.Reporter != "" && in.Reporter == id) {
		return nil
	}
	return err
}

// issueKey reads a typed issue key and accepts only the configured Jira
// projects' keys, so that nobody reads or comments on another project's
// tickets through setbot.
func (d *core) issueKey(s string) (setbot.IssueKey, error) {
	key, err := setbot.ParseIssueKey(s)
	if err != nil || len(d.cfg.Projects) == 0 {
		return key, err
	}
	project, _, _ := strings.Cut(string(key), "-")
	if !slices.Contains(d.cfg.Projects, project) {
		return "", setbot.Errorf(setbot.EInvalid, "%s is not a ticket of %s: I only work with %s tickets.", key, strings.Join(d.cfg.Projects, " or "), strings.Join(d.cfg.Projects, " and "))
	}
	return key, nil
}
