package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/setbot/setbot"
)

// pageVersion is the version of the page record this build writes.
const pageVersion = 1

// noticePage is the notifications kind of a ladder step: page/<id>/<step>.
const noticePage = "page"

// pageRecord is how a page is stored under pages/<id>.
type pageRecord struct {
	V         int       `json:"v"`
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	Channel   string    `json:"channel,omitempty"`
	Root      string    `json:"root,omitempty"`
	By        string    `json:"by,omitempty"`
	Issue     string    `json:"issue,omitempty"`
	IssueURL  string    `json:"issue_url,omitempty"`
	Created   time.Time `json:"created"`
	Step      int       `json:"step"`
	SteppedAt time.Time `json:"stepped_at"`
	Targets   [3]string `json:"targets"`
	AckedBy   string    `json:"acked_by,omitempty"`
	AckedAt   time.Time `json:"acked_at"`
}

func encodePage(p setbot.Page) ([]byte, error) {
	r := pageRecord{V: pageVersion, ID: p.ID, Text: p.Text, Channel: string(p.Channel), Root: string(p.Root),
		By: string(p.By), Issue: string(p.Issue), IssueURL: p.IssueURL, Created: p.Created.UTC(), Step: int(p.Step),
		SteppedAt: p.SteppedAt.UTC(), AckedBy: string(p.AckedBy), AckedAt: p.AckedAt.UTC()}
	for i, t := range p.Targets {
		r.Targets[i] = string(t)
	}
	return json.Marshal(r)
}

func decodePage(v []byte) (setbot.Page, error) {
	var r pageRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return setbot.Page{}, fmt.Errorf("decode page: %w", err)
	}
	if r.V > pageVersion {
		return setbot.Page{}, fmt.Errorf("page %s has version %d; this build reads up to %d", r.ID, r.V, pageVersion)
	}
	p := setbot.Page{ID: r.ID, Text: r.Text, Channel: setbot.ChannelID(r.Channel), Root: setbot.PostID(r.Root),
		By: setbot.Username(r.By), Issue: setbot.IssueKey(r.Issue), IssueURL: r.IssueURL, Created: r.Created, Step: setbot.PageStep(r.Step),
		SteppedAt: r.SteppedAt, AckedBy: setbot.Username(r.AckedBy), AckedAt: r.AckedAt}
	for i, t := range r.Targets {
		p.Targets[i] = setbot.Username(t)
	}
	return p, nil
}

// page reads a page inside a transaction; ok is false when there is none.
func (tx *Tx) page(id string) (setbot.Page, bool, error) {
	v := tx.tx.Bucket(bucketPages).Get([]byte(id))
	if v == nil {
		return setbot.Page{}, false, nil
	}
	p, err := decodePage(v)
	return p, err == nil, err
}

func (tx *Tx) putPage(p setbot.Page) error {
	v, err := encodePage(p)
	if err != nil {
		return err
	}
	b := tx.tx.Bucket(bucketPages)
	// Every write moves the bucket's sequence: PagesVersion.
	if _, err := b.NextSequence(); err != nil {
		return err
	}
	return b.Put([]byte(p.ID), v)
}

// PagesVersion changes whenever a page is written: the page ladder, which
// planned its next look from the pages at one version, looks again when
// it differs.
func (db *DB) PagesVersion() (v uint64, err error) {
	err = db.eng.view(func(tx kvTx) error {
		v = tx.Bucket(bucketPages).Sequence()
		return nil
	})
	return v, err
}

// AddPage stores a new page. A page with the same id already stored is an
// EConflict *Error: ids are made once, so this is a replay.
func (tx *Tx) AddPage(p setbot.Page) error {
	if p.ID == "" {
		return fmt.Errorf("page without an id")
	}
	if _, ok, err := tx.page(p.ID); err != nil || ok {
		if err != nil {
			return err
		}
		return setbot.Errorf(setbot.EConflict, "That page was already made.")
	}
	return tx.putPage(p)
}

// AddPage is Tx.AddPage in a transaction of its own.
func (db *DB) AddPage(p setbot.Page, now time.Time) error {
	return db.Update(now, func(tx *Tx) error { return tx.AddPage(p) })
}

// Page returns a stored page, or ok=false.
func (db *DB) Page(id string) (p setbot.Page, ok bool, err error) {
	err = db.eng.view(func(btx kvTx) error {
		p, ok, err = (&Tx{tx: btx}).page(id)
		return err
	})
	return p, ok, err
}

// OpenPages returns the pages nobody acknowledged, oldest first. It includes
// pages whose ladder is done: they can still be acknowledged.
func (db *DB) OpenPages() ([]setbot.Page, error) {
	return db.pages(func(p setbot.Page) bool { return !p.Acked() })
}

// PagesSince returns the pages made at or after since, oldest first.
func (db *DB) PagesSince(since time.Time) ([]setbot.Page, error) {
	return db.pages(func(p setbot.Page) bool { return !p.Created.Before(since) })
}

// OpenPagesInto is OpenPages appending to dst[:0]: a caller that reads
// them on every timer pass reuses one slice, and an unchanged page is not
// decoded again.
func (db *DB) OpenPagesInto(dst []setbot.Page) ([]setbot.Page, error) {
	return db.pagesInto(dst[:0], func(p setbot.Page) bool { return !p.Acked() })
}

func (db *DB) pages(keep func(setbot.Page) bool) ([]setbot.Page, error) {
	return db.pagesInto(nil, keep)
}

func (db *DB) pagesInto(dst []setbot.Page, keep func(setbot.Page) bool) (out []setbot.Page, err error) {
	err = db.eng.view(func(tx kvTx) error {
		out, err = db.pageCache.each(tx.Bucket(bucketPages), decodePage, keep, dst)
		return err
	})
	slices.SortFunc(out, func(a, b setbot.Page) int { return a.Created.Compare(b.Created) })
	return out, err
}

// Page returns a stored page inside the transaction, or ok=false.
func (tx *Tx) Page(id string) (setbot.Page, bool, error) { return tx.page(id) }

// AckPage records that by acknowledged the page at the transaction's time.
// changed is false when it was already acknowledged; p then says by whom. A
// missing page is an ENotFound *Error. Enqueue what is said about the
// acknowledgement in the same transaction.
func (tx *Tx) AckPage(id string, by setbot.Username) (p setbot.Page, changed bool, err error) {
	p, ok, err := tx.page(id)
	if err != nil {
		return p, false, err
	}
	if !ok {
		return p, false, setbot.Errorf(setbot.ENotFound, "I can't find that page any more; it may have been cleaned up.")
	}
	if p, changed = p.Ack(by, tx.now); !changed {
		return p, false, nil
	}
	return p, true, tx.putPage(p)
}

// SetPageRoot records the thread of a page that was made before its first
// post (an automatic page). It returns the page; changed is false when the
// page already had a thread, which is kept. A missing page is an ENotFound
// *Error.
func (tx *Tx) SetPageRoot(id string, root setbot.PostID) (p setbot.Page, changed bool, err error) {
	p, ok, err := tx.page(id)
	if err != nil {
		return p, false, err
	}
	if !ok {
		return p, false, setbot.Errorf(setbot.ENotFound, "I can't find that page any more.")
	}
	if p.Root != "" || root == "" {
		return p, false, nil
	}
	p.Root = root
	return p, true, tx.putPage(p)
}

// SetPageIssue records the ticket filed for the page's cause. ok is false
// when there is no such page.
func (tx *Tx) SetPageIssue(id string, key setbot.IssueKey, url string) (p setbot.Page, ok bool, err error) {
	p, ok, err = tx.page(id)
	if err != nil || !ok {
		return p, false, err
	}
	p.Issue, p.IssueURL = key, url
	return p, true, tx.putPage(p)
}

// ClaimPageStep decides, from the page as stored and at the transaction's
// time, the ladder's next step (setbot.NextPageStep with the shift on duty),
// and when it pages somebody records the step on the page and in the
// notification log page/<id>/<step>. claimed is true only for the one call
// that should page d.Target: a step already taken before a restart, or by a
// concurrent caller, is never claimed twice. Enqueue the page's posts in the
// same transaction so that they are not lost either. A missing page is an
// ENotFound *Error.
func (tx *Tx) ClaimPageStep(id string, on setbot.Shift, ackWithin time.Duration) (p setbot.Page, d setbot.PageDecision, claimed bool, err error) {
	p, ok, err := tx.page(id)
	if err != nil {
		return p, d, false, err
	}
	if !ok {
		return p, d, false, setbot.Errorf(setbot.ENotFound, "I can't find that page any more.")
	}
	d = setbot.NextPageStep(p, on, ackWithin, tx.now)
	if d.Step == setbot.StepNone {
		return p, d, false, nil
	}
	b := tx.tx.Bucket(bucketNotifications)
	k := noticeKey(noticePage, id, strconv.Itoa(int(d.Step)))
	if sent := b.Get(k); sent != nil {
		// The log says this step was paged but the page does not (it was
		// rewritten): believe the log, so nobody is paged twice.
		p.Step, p.SteppedAt = d.Step, fromMillis(sent)
		return p, d, false, tx.putPage(p)
	}
	next, ok := p.Advance(d, tx.now)
	if !ok {
		return p, d, false, nil
	}
	if err := tx.putPage(next); err != nil {
		return p, d, false, err
	}
	if err := b.Put(k, millis(tx.now)); err != nil {
		return p, d, false, err
	}
	return next, d, true, nil
}

// ClaimPageStep is Tx.ClaimPageStep in a transaction of its own, at now.
func (db *DB) ClaimPageStep(id string, on setbot.Shift, ackWithin time.Duration, now time.Time) (p setbot.Page, d setbot.PageDecision, claimed bool, err error) {
	err = db.Update(now, func(tx *Tx) error {
		p, d, claimed, err = tx.ClaimPageStep(id, on, ackWithin)
		return err
	})
	return p, d, claimed, err
}

// PrunePages forgets pages made before before, with their notification
// log, and returns how many it removed.
func (db *DB) PrunePages(before time.Time) (int, error) {
	n := 0
	err := db.eng.update(func(btx kvTx) error {
		pages, notes := btx.Bucket(bucketPages), btx.Bucket(bucketNotifications)
		// Collect first: deleting under a bbolt cursor can skip the next key.
		var old []string
		err := pages.ForEach(func(k, v []byte) error {
			p, err := decodePage(v)
			if err == nil && p.Created.Before(before) {
				old = append(old, string(k))
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, id := range old {
			if err := pages.Delete([]byte(id)); err != nil {
				return err
			}
			for s := setbot.StepPrimary; s <= setbot.StepGiveUp; s++ {
				if err := notes.Delete(noticeKey(noticePage, id, strconv.Itoa(int(s)))); err != nil {
					return err
				}
			}
		}
		n = len(old)
		if n > 0 {
			_, err = pages.NextSequence() // a deletion is a change: the version and the cache see it
		}
		return err
	})
	return n, err
}
