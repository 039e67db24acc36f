package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// Rotation is the configured rotation: weeks from [[rotation.week]] in the
// rotation's zone, and who may change it.
type Rotation struct {
	Location *time.Location
	Weeks    []setbot.Week
	Pattern  *setbot.Pattern // [rotation] members…; nil: the weeks alone
	Admins   []setbot.Username
}

// upcomingWeeks is how many weeks gaps are looked for ahead of time (and
// how far ahead the rotation counts as SET members).
const upcomingWeeks = 4

// listedWeeks is how many weeks "@setbot rotation" lists.
const listedWeeks = 8

func (*rotation) commands() []command {
	return []command{
		{name: "who", aliases: []string{"oncall", "on-call"}, usage: "who", summary: "who is on SET now and next week", where: anywhere, run: runWho},
		{name: "rotation", aliases: []string{"roster", "schedule"}, usage: "rotation", summary: "the coming weeks of the SET rotation", where: anywhere, run: runRotation},
		{name: "override", usage: "override <this|next|2026-11-30|from..to> primary|backup|lead @user", summary: "put someone in a seat for a week (leads and rotation admins)", where: inSET, run: runOverride},
		{name: "swap", usage: "swap @a @b <this|next|2026-11-30>", summary: "swap two people's seats for a week (leads and rotation admins)", where: inSET, run: runSwap},
	}
}

// roster is the configured rotation with the stored overrides applied.
func (d *core) roster() (setbot.Roster, error) { return d.cfg.Rotation.Roster(d.db) }

// Roster is the rotation as it stands: the configured weeks and pattern
// with the overrides stored in db applied (for the calendar feed, too).
func (rot Rotation) Roster(db *store.DB) (setbot.Roster, error) {
	ov, err := db.Overrides()
	if err != nil {
		return setbot.Roster{}, fmt.Errorf("read overrides: %w", err)
	}
	r, err := setbot.NewRoster(rot.Location, rot.Weeks, ov)
	if err == nil {
		r, err = r.WithPattern(rot.Pattern)
	}
	if err != nil {
		return setbot.Roster{}, fmt.Errorf("build roster: %w", err)
	}
	return r, nil
}

// shift is who is on SET now (an empty shift when the rotation has none).
func (d *core) shift() (setbot.Shift, error) {
	r, err := d.roster()
	if err != nil {
		return setbot.Shift{}, err
	}
	s, _ := r.At(d.now())
	return s, nil
}

func runWho(_ context.Context, d *core, r request) (outcome, error) {
	ro, err := d.roster()
	if err != nil {
		return outcome{}, err
	}
	now := d.now()
	cur, ok := ro.At(now)
	next, _ := ro.At(ro.NextBoundary(now))
	var b strings.Builder
	if !ok || cur.Empty() {
		b.WriteString("Nobody is on SET this week: the rotation has no entry for it. A rotation admin can add one in the config or with `override`.\n")
	} else {
		fmt.Fprintf(&b, "On SET this week (%s): lead %s · primary %s · backup %s\n", cur.Week(), seat(cur.Lead), seat(cur.Primary), seat(cur.Backup))
	}
	if next.Empty() {
		b.WriteString("Next week: nobody is assigned yet.")
	} else {
		fmt.Fprintf(&b, "Next week (%s): lead %s · primary %s · backup %s", next.Week(), seat(next.Lead), seat(next.Primary), seat(next.Backup))
	}
	var o outcome
	o.say(d.replyTo(r.msg, b.String()))
	return o, nil
}

// seat names a person without notifying them (who is asked often).
func seat(u setbot.Username) string {
	if u == "" {
		return "nobody"
	}
	return "`@" + string(u) + "`"
}

func runRotation(_ context.Context, d *core, r request) (outcome, error) {
	ro, err := d.roster()
	if err != nil {
		return outcome{}, err
	}
	lines := []string{fmt.Sprintf("The SET rotation for the next %d weeks (where each seat comes from in brackets):", listedWeeks)}
	for _, s := range ro.Upcoming(d.now(), listedWeeks) {
		var seats []string
		for _, role := range []setbot.Role{setbot.RoleLead, setbot.RolePrimary, setbot.RoleBackup} {
			seats = append(seats, fmt.Sprintf("%s %s%s", role, seat(s.Who(role)), seatFrom(ro, s.WeekStart, role)))
		}
		lines = append(lines, fmt.Sprintf("- %s: %s", s.WeekStart.Format(setbot.WeekLayout), strings.Join(seats, " · ")))
	}
	var o outcome
	o.say(d.replyTo(r.msg, strings.Join(lines, "\n")))
	return o, nil
}

// seatFrom is " (where the seat comes from)", or "" for an empty seat.
func seatFrom(ro setbot.Roster, week time.Time, role setbot.Role) string {
	src, by := ro.SeatSource(week, role)
	switch {
	case src == "":
		return ""
	case src == setbot.SourceOverride && by != "":
		return fmt.Sprintf(" (override by %s)", seat(by))
	}
	return " (" + src + ")"
}

func runOverride(ctx context.Context, d *core, r request) (outcome, error) {
	if len(r.args) != 3 {
		return outcome{}, setbot.Errorf(setbot.EInvalid, "Write it as `@%s override next backup @alice` (a week: this, next, a Monday like 2026-11-30, or a range 2026-11-30..2026-12-13).", d.cfg.Bot.Username)
	}
	_, weeks, err := d.rotation.rotationChange(ctx, r, r.args[0])
	if err != nil {
		return outcome{}, err
	}
	role, err := setbot.ParseRole(r.args[1])
	if err != nil {
		return outcome{}, err
	}
	u, err := d.person(ctx, r.args[2])
	if err != nil {
		return outcome{}, err
	}
	user := u.Username
	var ovs []setbot.Override
	for _, w := range weeks {
		ovs = append(ovs, setbot.Override{WeekStart: w.Format(setbot.WeekLayout), Role: role, User: user})
	}
	return d.rotation.applyOverrides(r, ovs, fmt.Sprintf("Done: `@%s` is %s for %d week(s) from %s.", user, role, len(weeks), weeks[0].Format(setbot.WeekLayout)))
}

func runSwap(ctx context.Context, d *core, r request) (outcome, error) {
	if len(r.args) != 3 {
		return outcome{}, setbot.Errorf(setbot.EInvalid, "Write it as `@%s swap @alice @bob next`.", d.cfg.Bot.Username)
	}
	ro, weeks, err := d.rotation.rotationChange(ctx, r, r.args[2])
	if err != nil {
		return outcome{}, err
	}
	ua, err := d.person(ctx, r.args[0])
	if err != nil {
		return outcome{}, err
	}
	ub, err := d.person(ctx, r.args[1])
	if err != nil {
		return outcome{}, err
	}
	a, b := ua.Username, ub.Username
	var ovs []setbot.Override
	for _, w := range weeks {
		sw, err := ro.Swap(w, a, b)
		if err != nil {
			return outcome{}, err
		}
		ovs = append(ovs, sw...)
	}
	return d.rotation.applyOverrides(r, ovs, fmt.Sprintf("Done: `@%s` and `@%s` swapped seats for the week of %s.", a, b, weeks[0].Format(setbot.WeekLayout)))
}

// rotationChange checks that the person may change the rotation and reads
// the weeks they named.
func (d *rotation) rotationChange(ctx context.Context, r request, weekArg string) (setbot.Roster, []time.Time, error) {
	ro, err := d.roster()
	if err != nil {
		return ro, nil, err
	}
	now := d.now()
	if who := ro.Changers(d.cfg.Rotation.Admins, now); !d.isOneOf(ctx, r.msg.UserID, who) {
		return ro, nil, refusal("only the current and next SET leads and the rotation admins can change the rotation", who)
	}
	weeks, err := ro.ParseWeeks(weekArg, now)
	return ro, weeks, err
}

// applyOverrides stores overrides with the post and asks for the header to be
// refreshed, since the current week may have changed.
func (d *rotation) applyOverrides(r request, ovs []setbot.Override, text string) (outcome, error) {
	o := outcome{apply: func(tx *store.Tx) error {
		for _, ov := range ovs {
			if err := tx.PutOverride(ov, r.msg.Username); err != nil {
				return err
			}
		}
		// Once committed: a refresh that ran before would read the old seats.
		tx.OnCommit(d.refreshHeaderSoon)
		return nil
	}}
	o.say(d.replyTo(r.msg, text))
	return o, nil
}
