package store

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/setbot/setbot"
)

// Tx is one read-write transaction, handed to the functions that Handle and
// Update run. It must not be used after that function returns, and no network
// I/O may happen while it is open.
type Tx struct {
	tx  kvTx
	now time.Time
	db  *DB
	// hooks are the OnCommit functions, which the caller runs after the
	// commit. A transaction that runs again (a group commit without a
	// failed function, a PostgreSQL retry) gets a new Tx, so only the
	// hooks of the run that committed are kept.
	hooks []func()
}

// Handle runs fn once for the post id, in one transaction that also records
// the post as handled. A post already handled is not handled again: Handle
// returns dup=true without calling fn. If fn fails, nothing is recorded.
// It shares a group commit with the writes waiting at the same moment
// (commit.go), so fn may run more than once: it must depend only on the
// transaction.
func (db *DB) Handle(id setbot.PostID, now time.Time, fn func(*Tx) error) (dup bool, err error) {
	err = db.write(now, func(tx *Tx) error {
		dup = false
		seen := tx.tx.Bucket(bucketSeen)
		if seen.Get([]byte(id)) != nil {
			dup = true
			return nil
		}
		if err := fn(tx); err != nil {
			return err
		}
		return seen.Put([]byte(id), millis(now))
	})
	return dup, err
}

// Update runs fn in one read-write transaction, shared as Handle's is.
func (db *DB) Update(now time.Time, fn func(*Tx) error) error {
	return db.write(now, fn)
}

// Seen reports whether the post was handled.
func (db *DB) Seen(id setbot.PostID) (bool, error) {
	var ok bool
	err := db.eng.view(func(tx kvTx) error {
		ok = tx.Bucket(bucketSeen).Get([]byte(id)) != nil
		return nil
	})
	return ok, err
}

// PruneSeen forgets handled-post marks older than before, and returns how
// many it removed. Posts older than the retention are never replayed.
func (db *DB) PruneSeen(before time.Time) (int, error) {
	n := 0
	err := db.eng.update(func(tx kvTx) error {
		var err error
		n, err = deleteWhere(tx.Bucket(bucketSeen), func(_, v []byte) bool { return fromMillis(v).Before(before) })
		return err
	})
	return n, err
}

// deleteWhere deletes the keys of b for which old is true. It collects them
// first: deleting under a bbolt cursor moves the cursor, and the loop's
// Next would then skip the key after each deleted one (kvBucket.ForEach
// forbids writes on every engine).
func deleteWhere(b kvBucket, old func(k, v []byte) bool) (int, error) {
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if old(k, v) {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// PruneNotices deletes the notification log's entries claimed before
// before: the reminders, gap reports and reports they guard are long over.
func (db *DB) PruneNotices(before time.Time) (int, error) {
	n := 0
	err := db.eng.update(func(tx kvTx) error {
		var err error
		n, err = deleteWhere(tx.Bucket(bucketNotifications), func(_, v []byte) bool { return fromMillis(v).Before(before) })
		return err
	})
	return n, err
}

// Cursor returns the create time of the newest post seen in a channel:
// handled, and, where the first-response watch keeps a cursor of its own,
// recorded by the watch too (the older of the two), so that catch-up
// replays what either had not committed.
func (db *DB) Cursor(ch setbot.ChannelID) (time.Time, error) {
	var t time.Time
	err := db.eng.view(func(tx kvTx) error {
		meta := tx.Bucket(bucketMeta)
		t = fromMillis(meta.Get(cursorKey(ch)))
		if w := meta.Get(watchCursorKey(ch)); w != nil && (t.IsZero() || fromMillis(w).Before(t)) {
			t = fromMillis(w)
		}
		return nil
	})
	return t, err
}

// SetWatchCursor moves the watch's cursor of the channel forward to at.
func (tx *Tx) SetWatchCursor(ch setbot.ChannelID, at time.Time) error {
	meta := tx.tx.Bucket(bucketMeta)
	if old := meta.Get(watchCursorKey(ch)); old != nil && !at.After(fromMillis(old)) {
		return nil
	}
	return meta.Put(watchCursorKey(ch), millis(at))
}

// DropWatchCursor forgets the watch's cursor of channel ch (the watch of
// that channel was turned off), so that catch-up there goes by the handled
// posts alone.
func (db *DB) DropWatchCursor(ch setbot.ChannelID) error {
	return db.eng.update(func(tx kvTx) error { return tx.Bucket(bucketMeta).Delete(watchCursorKey(ch)) })
}

func watchCursorKey(ch setbot.ChannelID) []byte { return []byte(watchCursorPrefix + string(ch)) }

const watchCursorPrefix = "watchcursor/"

// SetCursor moves the channel's cursor forward to at; it never moves back.
func (tx *Tx) SetCursor(ch setbot.ChannelID, at time.Time) error {
	meta := tx.tx.Bucket(bucketMeta)
	if old := fromMillis(meta.Get(cursorKey(ch))); !at.After(old) {
		return nil
	}
	return meta.Put(cursorKey(ch), millis(at))
}

func cursorKey(ch setbot.ChannelID) []byte { return []byte(cursorPrefix + string(ch)) }

const cursorPrefix = "cursor/"

// NewestCursor is the newest cursor of any channel: about when setbot last
// handled a post anywhere. Zero when it never has.
func (db *DB) NewestCursor() (time.Time, error) {
	var newest time.Time
	err := db.eng.view(func(tx kvTx) error {
		c := tx.Bucket(bucketMeta).Cursor()
		prefix := []byte(cursorPrefix)
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if t := fromMillis(v); t.After(newest) {
				newest = t
			}
		}
		return nil
	})
	return newest, err
}

// ButtonKey returns the key that signs button actions, creating it once.
func (db *DB) ButtonKey() ([]byte, error) {
	var key []byte
	err := db.eng.update(func(tx kvTx) error {
		meta := tx.Bucket(bucketMeta)
		if k := meta.Get(keyButtonKey); k != nil {
			key = append([]byte(nil), k...)
			return nil
		}
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("make button key: %w", err)
		}
		return meta.Put(keyButtonKey, key)
	})
	return key, err
}

// Conversation returns the stored conversation state of a user, or nil.
func (tx *Tx) Conversation(user setbot.UserID) []byte {
	v := tx.tx.Bucket(bucketConversations).Get([]byte(user))
	return append([]byte(nil), v...)
}

// PutConversation stores a user's conversation state; nil deletes it.
func (tx *Tx) PutConversation(user setbot.UserID, state []byte) error {
	b := tx.tx.Bucket(bucketConversations)
	if state == nil {
		return b.Delete([]byte(user))
	}
	return b.Put([]byte(user), state)
}

// Conversations calls fn for every stored conversation (for reminders).
func (db *DB) Conversations(fn func(user setbot.UserID, state []byte) error) error {
	return db.eng.view(func(tx kvTx) error {
		return tx.Bucket(bucketConversations).ForEach(func(k, v []byte) error {
			return fn(setbot.UserID(k), append([]byte(nil), v...))
		})
	})
}

// Now is the transaction's time.
func (tx *Tx) Now() time.Time { return tx.now }

// OnCommit runs fn after the transaction has committed, before Handle,
// Update or FinishJob returns; never when it fails or rolls back. It runs
// in the writer's goroutine after the commit, so it may use the store
// (collecting unused uploads does).
func (tx *Tx) OnCommit(fn func()) { tx.hooks = append(tx.hooks, fn) }
