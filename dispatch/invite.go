package dispatch

import (
	"context"
	"fmt"
	"strings"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// jobInvite invites a team's people to an incident's channel when its
// ticket is handed over to them. Payload: invite. Persisted: never rename.
const jobInvite = "channel-invite"

// invite is the payload of a jobInvite job.
type invite struct {
	Channel setbot.ChannelID  `json:"channel"`
	Key     setbot.IssueKey   `json:"key"`
	Team    string            `json:"team"`
	People  []setbot.Username `json:"people"`
}

// inviteOnHandover adds to o, when key is a tracked incident with a channel
// of its own and team has people to invite, the job that invites them.
func (d *tickets) inviteOnHandover(o outcome, key setbot.IssueKey, team string) (outcome, error) {
	people := d.ext.HandoverInvites[team]
	if len(people) == 0 {
		return o, nil
	}
	in, ok, err := d.db.Incident(key)
	if err != nil || !ok || in.Channel == "" || in.Resolved {
		return o, err
	}
	apply := o.apply
	o.apply = func(tx *store.Tx) error {
		if apply != nil {
			if err := apply(tx); err != nil {
				return err
			}
		}
		_, err := tx.Enqueue(jobInvite, "", invite{Channel: in.Channel, Key: key, Team: team, People: people}, tx.Now())
		return err
	}
	return o, nil
}

// runInvite adds the people who have accounts to the channel and says so
// there. Someone without an account is named in the note, not retried.
func runInvite(ctx context.Context, d *core, j store.Job, in invite) error {
	var ids []setbot.UserID
	var names, missing []string
	for _, n := range in.People {
		u, err := d.chat.UserByName(ctx, n)
		switch {
		case setbot.ErrorCode(err) == setbot.ENotFound || err == nil && (u.Deleted || u.IsBot):
			missing = append(missing, seat(n))
			continue
		case err != nil:
			return err
		}
		ids, names = append(ids, u.ID), append(names, seat(n))
	}
	if len(ids) > 0 {
		if err := d.chat.AddToChannel(ctx, in.Channel, ids); err != nil {
			return err
		}
	}
	text := fmt.Sprintf("%s is handed over to %s: I invited %s to this channel. SET stays the contact.", in.Key, quoteInline(in.Team), strings.Join(names, ", "))
	if len(ids) == 0 {
		text = fmt.Sprintf("%s is handed over to %s, but I found none of its people to invite here.", in.Key, quoteInline(in.Team))
	}
	if len(missing) > 0 {
		text += " Not found: " + strings.Join(missing, ", ") + "."
	}
	_, err := d.postOnce(ctx, j, setbot.Reply{ChannelID: in.Channel, Text: text}, jobKey(j))
	return err
}
