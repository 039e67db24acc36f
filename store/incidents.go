package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/setbot/setbot"
)

// incidentVersion is the version of the incident record this build writes.
const incidentVersion = 1

// noticeReminder is the notifications kind of a reminder:
// incident/<key>/<n>, n counting from 1 over the incident's whole life.
const noticeReminder = "incident"

// incidentRecord is how an incident is stored under incidents/<key>.
type incidentRecord struct {
	V            int       `json:"v"`
	Key          string    `json:"key"`
	Priority     int       `json:"priority"`
	Title        string    `json:"title,omitempty"`
	Channel      string    `json:"channel,omitempty"`
	Root         string    `json:"root,omitempty"`
	Owner        string    `json:"owner,omitempty"`
	Reporter     string    `json:"reporter,omitempty"` // added without a version bump: older records lack it
	Opened       time.Time `json:"opened"`
	LastUpdate   time.Time `json:"last_update"`
	LastReminder time.Time `json:"last_reminder"`
	Reminders    int       `json:"reminders"`
	EscalatedAt  time.Time `json:"escalated_at"`
	SnoozedUntil time.Time `json:"snoozed_until"`
	Resolved     bool      `json:"resolved,omitempty"`
	ResolvedAt   time.Time `json:"resolved_at"`
}

func encodeIncident(in setbot.Incident) ([]byte, error) {
	return json.Marshal(incidentRecord{V: incidentVersion, Key: string(in.Key), Priority: int(in.Priority),
		Title: in.Title, Channel: string(in.Channel), Root: string(in.Root), Owner: string(in.Owner),
		Reporter: string(in.Reporter), Opened: in.Opened.UTC(), LastUpdate: in.LastUpdate.UTC(), LastReminder: in.LastReminder.UTC(),
		Reminders: in.Reminders, EscalatedAt: in.EscalatedAt.UTC(), SnoozedUntil: in.SnoozedUntil.UTC(),
		Resolved: in.Resolved, ResolvedAt: in.ResolvedAt.UTC()})
}

func decodeIncident(v []byte) (setbot.Incident, error) {
	var r incidentRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return setbot.Incident{}, fmt.Errorf("decode incident: %w", err)
	}
	if r.V > incidentVersion {
		return setbot.Incident{}, fmt.Errorf("incident %s has version %d; this build reads up to %d", r.Key, r.V, incidentVersion)
	}
	return setbot.Incident{Key: setbot.IssueKey(r.Key), Priority: setbot.Priority(r.Priority), Title: r.Title,
		Channel: setbot.ChannelID(r.Channel), Root: setbot.PostID(r.Root), Owner: setbot.Username(r.Owner),
		Reporter: setbot.UserID(r.Reporter), Opened: r.Opened, LastUpdate: r.LastUpdate, LastReminder: r.LastReminder, Reminders: r.Reminders,
		EscalatedAt: r.EscalatedAt, SnoozedUntil: r.SnoozedUntil, Resolved: r.Resolved, ResolvedAt: r.ResolvedAt}, nil
}

func (tx *Tx) incident(key setbot.IssueKey) (setbot.Incident, bool, error) {
	v := tx.tx.Bucket(bucketIncidents).Get([]byte(key))
	if v == nil {
		return setbot.Incident{}, false, nil
	}
	in, err := decodeIncident(v)
	return in, err == nil, err
}

func (tx *Tx) putIncident(in setbot.Incident) error {
	v, err := encodeIncident(in)
	if err != nil {
		return err
	}
	b := tx.tx.Bucket(bucketIncidents)
	// Every write moves the bucket's sequence, so that IncidentsVersion
	// tells a poller cheaply whether anything changed.
	if _, err := b.NextSequence(); err != nil {
		return err
	}
	return b.Put([]byte(in.Key), v)
}

// IncidentsVersion changes whenever an incident is written: a caller that
// planned its next look from the incidents at one version must look again
// when the version differs.
func (db *DB) IncidentsVersion() (uint64, error) {
	var v uint64
	err := db.eng.view(func(tx kvTx) error {
		v = tx.Bucket(bucketIncidents).Sequence()
		return nil
	})
	return v, err
}

// mustIncident reads an incident that the caller names, as an ENotFound
// *Error when it is not tracked.
func (tx *Tx) mustIncident(key setbot.IssueKey) (setbot.Incident, error) {
	in, ok, err := tx.incident(key)
	if err == nil && !ok {
		err = setbot.Errorf(setbot.ENotFound, "%s is not a tracked incident. `@setbot incidents` lists the ones I track.", key)
	}
	return in, err
}

// TrackIncident starts tracking in (Opened is set to the transaction's time
// when zero). An incident already tracked is returned as stored with
// started=false. A resolved one is tracked again from now, keeping its
// reminder count so that the notification log never reuses a number.
func (tx *Tx) TrackIncident(in setbot.Incident) (setbot.Incident, bool, error) {
	if in.Key == "" {
		return in, false, fmt.Errorf("incident without a key")
	}
	old, ok, err := tx.incident(in.Key)
	if err != nil {
		return in, false, err
	}
	if ok && !old.Resolved {
		return old, false, nil
	}
	if in.Opened.IsZero() {
		in.Opened = tx.now
	}
	in.LastReminder, in.EscalatedAt, in.SnoozedUntil = time.Time{}, time.Time{}, time.Time{}
	in.Resolved, in.ResolvedAt, in.Reminders = false, time.Time{}, old.Reminders
	return in, true, tx.putIncident(in)
}

// TrackIncident is Tx.TrackIncident in a transaction of its own, at now.
func (db *DB) TrackIncident(in setbot.Incident, now time.Time) (out setbot.Incident, started bool, err error) {
	err = db.Update(now, func(tx *Tx) error {
		out, started, err = tx.TrackIncident(in)
		return err
	})
	return out, started, err
}

// EditIncident changes what describes a tracked incident (priority, title,
// channel, thread, owner) through fn. The reminder history (opened, updates,
// reminders, snooze, resolution) is kept as stored whatever fn does: it
// changes only through the methods below. An unknown key is an ENotFound
// *Error.
func (tx *Tx) EditIncident(key setbot.IssueKey, fn func(setbot.Incident) setbot.Incident) (setbot.Incident, error) {
	in, err := tx.mustIncident(key)
	if err != nil {
		return in, err
	}
	out := fn(in)
	out.Key, out.Opened, out.LastUpdate, out.LastReminder = in.Key, in.Opened, in.LastUpdate, in.LastReminder
	out.Reminders, out.EscalatedAt, out.SnoozedUntil = in.Reminders, in.EscalatedAt, in.SnoozedUntil
	out.Resolved, out.ResolvedAt = in.Resolved, in.ResolvedAt
	return out, tx.putIncident(out)
}

// Incident returns a tracked (or resolved) incident, or ok=false.
func (db *DB) Incident(key setbot.IssueKey) (in setbot.Incident, ok bool, err error) {
	err = db.eng.view(func(btx kvTx) error {
		in, ok, err = (&Tx{tx: btx}).incident(key)
		return err
	})
	return in, ok, err
}

// OpenIncidents returns the incidents not resolved, by key.
func (db *DB) OpenIncidents() ([]setbot.Incident, error) {
	return db.incidents(func(in setbot.Incident) bool { return !in.Resolved })
}

// Incidents returns every incident kept, resolved or not, by key.
func (db *DB) Incidents() ([]setbot.Incident, error) {
	return db.incidents(func(setbot.Incident) bool { return true })
}

// OpenIncidentsInto is OpenIncidents appending to dst[:0]: a caller that
// reads them on every timer pass reuses one slice, and an unchanged
// incident is not decoded again.
func (db *DB) OpenIncidentsInto(dst []setbot.Incident) ([]setbot.Incident, error) {
	return db.incidentsInto(dst[:0], func(in setbot.Incident) bool { return !in.Resolved })
}

func (db *DB) incidents(keep func(setbot.Incident) bool) ([]setbot.Incident, error) {
	return db.incidentsInto(nil, keep)
}

func (db *DB) incidentsInto(dst []setbot.Incident, keep func(setbot.Incident) bool) (out []setbot.Incident, err error) {
	err = db.eng.view(func(tx kvTx) error {
		out, err = db.incidentCache.each(tx.Bucket(bucketIncidents), decodeIncident, keep, dst)
		return err
	})
	return out, err
}

// ResolveIncident stops tracking at the transaction's time. changed is
// false when it was already resolved. An unknown key is an ENotFound *Error.
func (tx *Tx) ResolveIncident(key setbot.IssueKey) (in setbot.Incident, changed bool, err error) {
	if in, err = tx.mustIncident(key); err != nil {
		return in, false, err
	}
	if in, changed = in.Resolve(tx.now); !changed {
		return in, false, nil
	}
	return in, true, tx.putIncident(in)
}

// SetIncidentThread records root as the incident's thread in
// ~sustained-engineering unless it already has one; it returns the thread
// the incident has afterwards. An unknown key is an ENotFound *Error.
func (tx *Tx) SetIncidentThread(key setbot.IssueKey, root setbot.PostID) (setbot.PostID, error) {
	in, err := tx.mustIncident(key)
	if err != nil || in.Root != "" {
		return in.Root, err
	}
	in.Root = root
	return root, tx.putIncident(in)
}

// RecordUpdate records a status update made at at (from any source). Updates
// only move forward: changed is false for one no newer than the last. An
// unknown key is an ENotFound *Error. Enqueue the Jira comment and the echo
// in the same transaction.
func (tx *Tx) RecordUpdate(key setbot.IssueKey, at time.Time) (in setbot.Incident, changed bool, err error) {
	if in, err = tx.mustIncident(key); err != nil {
		return in, false, err
	}
	if err := tx.logUpdate(key, at); err != nil { // every update counts for its day, even an older one
		return in, false, err
	}
	if in, changed = in.Updated(at); !changed {
		return in, false, nil
	}
	return in, true, tx.putIncident(in)
}

// RecordUpdate is Tx.RecordUpdate in a transaction of its own.
func (db *DB) RecordUpdate(key setbot.IssueKey, at time.Time) (in setbot.Incident, changed bool, err error) {
	err = db.Update(at, func(tx *Tx) error {
		in, changed, err = tx.RecordUpdate(key, at)
		return err
	})
	return in, changed, err
}

// Snooze holds an incident's reminders until until. A resolved incident
// is an EInvalid *Error: there is nothing to snooze.
func (tx *Tx) Snooze(key setbot.IssueKey, until time.Time) (in setbot.Incident, err error) {
	if in, err = tx.mustIncident(key); err != nil {
		return in, err
	}
	if in.Resolved {
		return in, setbot.Errorf(setbot.EInvalid, "%s is resolved, so there are no reminders to snooze.", key)
	}
	in = in.Snoozed(until)
	return in, tx.putIncident(in)
}

// ClaimReminder decides, from the incident as stored and at the
// transaction's time, whether it needs a reminder (setbot.RemindNow), and
// when it does records it on the incident and in the notification log
// incident/<key>/<n>. claimed is true only for the one call that should post
// it: a reminder already sent before a restart, or by a concurrent caller,
// is never claimed twice, and one that is due is never skipped by a stale
// decision. Enqueue the post in the same transaction. An unknown key is an
// ENotFound *Error.
func (tx *Tx) ClaimReminder(key setbot.IssueKey, p setbot.NagPolicy) (in setbot.Incident, n setbot.Nag, claimed bool, err error) {
	if in, err = tx.mustIncident(key); err != nil {
		return in, n, false, err
	}
	n = setbot.RemindNow(in, p, tx.now)
	next, ok := in.Reminded(n, tx.now)
	if !ok {
		return in, n, false, nil
	}
	b := tx.tx.Bucket(bucketNotifications)
	k := noticeKey(noticeReminder, string(key), strconv.Itoa(next.Reminders))
	if sent := b.Get(k); sent != nil {
		// The log has this reminder but the record does not (it was
		// rewritten): believe the log, so it is not posted twice.
		in.Reminders, in.LastReminder = next.Reminders, fromMillis(sent)
		return in, n, false, tx.putIncident(in)
	}
	if err := tx.putIncident(next); err != nil {
		return in, n, false, err
	}
	return next, n, true, b.Put(k, millis(tx.now))
}

// ClaimReminder is Tx.ClaimReminder in a transaction of its own, at now.
func (db *DB) ClaimReminder(key setbot.IssueKey, p setbot.NagPolicy, now time.Time) (in setbot.Incident, n setbot.Nag, claimed bool, err error) {
	err = db.Update(now, func(tx *Tx) error {
		in, n, claimed, err = tx.ClaimReminder(key, p)
		return err
	})
	return in, n, claimed, err
}

// PruneIncidents deletes incidents resolved before before: nothing reminds
// about them any more, and `@setbot update` on one that old tracks it anew.
func (db *DB) PruneIncidents(before time.Time) (int, error) {
	n := 0
	err := db.eng.update(func(tx kvTx) error {
		var err error
		b := tx.Bucket(bucketIncidents)
		n, err = deleteWhere(b, func(_, v []byte) bool {
			in, err := decodeIncident(v)
			return err == nil && in.Resolved && in.ResolvedAt.Before(before)
		})
		if err == nil && n > 0 {
			_, err = b.NextSequence() // a deletion is a change: the version and the cache see it
		}
		return err
	})
	return n, err
}
