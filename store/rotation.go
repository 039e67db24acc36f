package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/setbot/setbot"
)

// overrideVersion is the version of the override record this build writes.
const overrideVersion = 1

// overrideRecord is how an override is stored under overrides/<week>/<role>.
type overrideRecord struct {
	V    int       `json:"v"`
	User string    `json:"user"`
	By   string    `json:"by,omitempty"` // who made it, for the record
	At   time.Time `json:"at"`
}

func overrideKey(week string, r setbot.Role) []byte { return []byte(week + "/" + r.String()) }

// checkWeek refuses a week that is not a Monday written "YYYY-MM-DD". The
// date alone decides the weekday, so no time zone is needed.
func checkWeek(week string) error {
	d, err := time.Parse(setbot.WeekLayout, week)
	if err != nil || d.Weekday() != time.Monday {
		return fmt.Errorf("override week %q is not a Monday written YYYY-MM-DD", week)
	}
	return nil
}

// PutOverride stores an override made by by, replacing any for the same
// week and role.
func (tx *Tx) PutOverride(o setbot.Override, by setbot.Username) error {
	if err := checkWeek(o.WeekStart); err != nil {
		return err
	}
	if !o.Role.Valid() || o.User == "" {
		return fmt.Errorf("override of week %s needs a role and a user", o.WeekStart)
	}
	v, err := json.Marshal(overrideRecord{V: overrideVersion, User: string(o.User), By: string(by), At: tx.now.UTC()})
	if err != nil {
		return err
	}
	return tx.tx.Bucket(bucketOverrides).Put(overrideKey(o.WeekStart, o.Role), v)
}

// DeleteOverride removes the override of a week and role, if any.
func (tx *Tx) DeleteOverride(week string, r setbot.Role) error {
	return tx.tx.Bucket(bucketOverrides).Delete(overrideKey(week, r))
}

// PutOverrides stores several overrides at once (a swap is two), made by by.
func (db *DB) PutOverrides(os []setbot.Override, by setbot.Username, now time.Time) error {
	return db.Update(now, func(tx *Tx) error {
		for _, o := range os {
			if err := tx.PutOverride(o, by); err != nil {
				return err
			}
		}
		return nil
	})
}

// Overrides returns every stored override, oldest week first, for
// setbot.NewRoster.
func (db *DB) Overrides() ([]setbot.Override, error) {
	var out []setbot.Override
	err := db.eng.view(func(tx kvTx) error {
		return tx.Bucket(bucketOverrides).ForEach(func(k, v []byte) error {
			o, err := decodeOverride(k, v)
			if err != nil {
				return err
			}
			out = append(out, o)
			return nil
		})
	})
	return out, err
}

func decodeOverride(k, v []byte) (setbot.Override, error) {
	week, role, ok := strings.Cut(string(k), "/")
	if !ok {
		return setbot.Override{}, fmt.Errorf("override key %q is not <week>/<role>", k)
	}
	r, err := setbot.ParseRole(role)
	if err != nil {
		return setbot.Override{}, fmt.Errorf("override key %q: %w", k, err)
	}
	var rec overrideRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return setbot.Override{}, fmt.Errorf("decode override %s: %w", k, err)
	}
	if rec.V > overrideVersion {
		return setbot.Override{}, fmt.Errorf("override %s has version %d; this build reads up to %d", k, rec.V, overrideVersion)
	}
	return setbot.Override{WeekStart: week, Role: r, User: setbot.Username(rec.User), By: setbot.Username(rec.By)}, nil
}

// PruneOverrides forgets overrides of weeks that start before week
// ("YYYY-MM-DD"), and returns how many it removed.
func (db *DB) PruneOverrides(week string) (int, error) {
	n := 0
	err := db.eng.update(func(tx kvTx) error {
		b := tx.Bucket(bucketOverrides)
		// Keys start with the week's date, so they sort by week. Collect
		// first: deleting under a bbolt cursor can skip the next key.
		var old [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil && string(k[:min(len(k), len(week))]) < week; k, _ = c.Next() {
			old = append(old, append([]byte(nil), k...))
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(old)
		return nil
	})
	return n, err
}

// ClaimNotice records that the notification kind/subject/step is being sent
// now, and reports whether this call claimed it: false means it was claimed
// before (by this process before a restart, or by another caller) and must
// not be sent again. Use it in the transaction that enqueues the post, so the
// post is neither repeated nor lost. For example a gap report to the leads:
// ClaimNotice("gap", "2026-11-30/backup", "nobody").
func (tx *Tx) ClaimNotice(kind, subject, step string) (bool, error) {
	b := tx.tx.Bucket(bucketNotifications)
	k := noticeKey(kind, subject, step)
	if b.Get(k) != nil {
		return false, nil
	}
	return true, b.Put(k, millis(tx.now))
}

// ClaimNotice is Tx.ClaimNotice in a transaction of its own.
func (db *DB) ClaimNotice(kind, subject, step string, now time.Time) (claimed bool, err error) {
	err = db.Update(now, func(tx *Tx) error {
		claimed, err = tx.ClaimNotice(kind, subject, step)
		return err
	})
	return claimed, err
}

// NoticeSent returns when kind/subject/step was claimed, or ok=false.
func (db *DB) NoticeSent(kind, subject, step string) (at time.Time, ok bool, err error) {
	err = db.eng.view(func(tx kvTx) error {
		if v := tx.Bucket(bucketNotifications).Get(noticeKey(kind, subject, step)); v != nil {
			at, ok = fromMillis(v), true
		}
		return nil
	})
	return at, ok, err
}

func noticeKey(kind, subject, step string) []byte {
	return []byte(kind + "/" + subject + "/" + step)
}
