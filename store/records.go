package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/setbot/setbot"
)

// The week records (issue 16): weeklog/ keeps the few events the records
// need and nothing else keeps (filings, each incident update, the stale
// count at hand-over) until the week's record is made; records/ keeps each
// week's figures for setbot.RecordKeep.

var (
	prefixFiled  = []byte("filed/")
	prefixUpdate = []byte("update/")
	prefixStale  = []byte("stale/")
)

// WeekLogKeep is how long weeklog/ entries are kept: a record is made when
// its week ends, so five weeks leave room for a long outage.
const WeekLogKeep = 5 * 7 * 24 * time.Hour

type filedEntry struct {
	At    time.Time `json:"at"`
	Level int       `json:"level"`
}

// LogFiled records that setbot filed key at at, with level; a second call
// for the same ticket (a retried filing) changes nothing.
func (tx *Tx) LogFiled(key setbot.IssueKey, level setbot.Priority, at time.Time) error {
	b := tx.tx.Bucket(bucketWeekLog)
	k := append(bytes.Clone(prefixFiled), key...)
	if b.Get(k) != nil {
		return nil
	}
	v, err := json.Marshal(filedEntry{At: at.UTC(), Level: int(level)})
	if err != nil {
		return err
	}
	return b.Put(k, v)
}

// logUpdate records an incident status update at at.
func (tx *Tx) logUpdate(key setbot.IssueKey, at time.Time) error {
	k := append(append(bytes.Clone(prefixUpdate), key...), '/')
	k = strconv.AppendInt(k, at.UnixMilli(), 10)
	return tx.tx.Bucket(bucketWeekLog).Put(k, nil)
}

// LogStaleAtHandover records how many tickets were stale at week's
// hand-over; the last report of the week wins.
func (tx *Tx) LogStaleAtHandover(week string, n int) error {
	return tx.tx.Bucket(bucketWeekLog).Put(append(bytes.Clone(prefixStale), week...), []byte(strconv.Itoa(n)))
}

// WeekLog is what weeklog/ holds: the filings, the incident updates by
// ticket, and the stale counts at hand-over by week.
type WeekLog struct {
	Filed   []setbot.FiledTicket
	Updates map[setbot.IssueKey][]time.Time
	Stale   map[string]int
}

// WeekLog reads weeklog/.
func (db *DB) WeekLog() (WeekLog, error) {
	out := WeekLog{Updates: map[setbot.IssueKey][]time.Time{}, Stale: map[string]int{}}
	err := db.eng.view(func(tx kvTx) error {
		return tx.Bucket(bucketWeekLog).ForEach(func(k, v []byte) error {
			return out.add(k, v)
		})
	})
	return out, err
}

func (l *WeekLog) add(k, v []byte) error {
	switch {
	case bytes.HasPrefix(k, prefixFiled):
		var e filedEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode weeklog %s: %w", k, err)
		}
		l.Filed = append(l.Filed, setbot.FiledTicket{Key: setbot.IssueKey(k[len(prefixFiled):]), Level: setbot.Priority(e.Level), At: e.At})
	case bytes.HasPrefix(k, prefixUpdate):
		key, at, ok := updateKey(k)
		if !ok {
			return fmt.Errorf("weeklog key %q is not update/<issue>/<unix ms>", k)
		}
		l.Updates[key] = append(l.Updates[key], at)
	case bytes.HasPrefix(k, prefixStale):
		n, err := strconv.Atoi(string(v))
		if err != nil {
			return fmt.Errorf("decode weeklog %s: %w", k, err)
		}
		l.Stale[string(k[len(prefixStale):])] = n
	}
	return nil
}

func updateKey(k []byte) (setbot.IssueKey, time.Time, bool) {
	rest := k[len(prefixUpdate):]
	i := bytes.LastIndexByte(rest, '/')
	if i < 0 {
		return "", time.Time{}, false
	}
	ms, err := strconv.ParseInt(string(rest[i+1:]), 10, 64)
	return setbot.IssueKey(rest[:i]), time.UnixMilli(ms).UTC(), err == nil
}

// PruneWeekLog forgets weeklog/ entries from before before.
func (db *DB) PruneWeekLog(before time.Time) (n int, err error) {
	err = db.eng.update(func(tx kvTx) error {
		n, err = deleteWhere(tx.Bucket(bucketWeekLog), func(k, v []byte) bool {
			at, ok := logTime(k, v)
			return !ok || at.Before(before)
		})
		return err
	})
	return n, err
}

// logTime is when a weeklog/ entry happened (a stale count: its week's
// Monday); ok is false for an entry that does not decode.
func logTime(k, v []byte) (time.Time, bool) {
	l := WeekLog{Updates: map[setbot.IssueKey][]time.Time{}, Stale: map[string]int{}}
	if l.add(k, v) != nil {
		return time.Time{}, false
	}
	switch {
	case len(l.Filed) == 1:
		return l.Filed[0].At, true
	case bytes.HasPrefix(k, prefixUpdate):
		_, at, ok := updateKey(k)
		return at, ok
	case bytes.HasPrefix(k, prefixStale):
		w, err := time.Parse(setbot.WeekLayout, string(k[len(prefixStale):]))
		return w, err == nil
	}
	return time.Time{}, false
}

// PutRecord stores a week's record unless that week has one; it reports
// whether it did.
func (tx *Tx) PutRecord(r setbot.WeekRecord) (bool, error) {
	b := tx.tx.Bucket(bucketRecords)
	if b.Get([]byte(r.Week)) != nil {
		return false, nil
	}
	v, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	return true, b.Put([]byte(r.Week), v)
}

// HasRecord reports whether week has a record.
func (db *DB) HasRecord(week string) (ok bool, err error) {
	err = db.eng.view(func(tx kvTx) error {
		ok = tx.Bucket(bucketRecords).Get([]byte(week)) != nil
		return nil
	})
	return ok, err
}

// Records returns the records of the n weeks before week (the newest
// last), as many as there are.
func (db *DB) Records(before string, n int) ([]setbot.WeekRecord, error) {
	var out []setbot.WeekRecord
	err := db.eng.view(func(tx kvTx) error {
		c := tx.Bucket(bucketRecords).Cursor()
		k, v := c.Seek([]byte(before))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && len(out) < n; k, v = c.Prev() {
			var r setbot.WeekRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode record %s: %w", k, err)
			}
			out = append(out, r)
		}
		return nil
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// PruneRecords forgets the records of weeks before before (a WeekLayout
// date).
func (db *DB) PruneRecords(before string) (n int, err error) {
	err = db.eng.update(func(tx kvTx) error {
		n, err = deleteWhere(tx.Bucket(bucketRecords), func(k, _ []byte) bool { return string(k) < before })
		return err
	})
	return n, err
}
