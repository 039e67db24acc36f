package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/setbot/setbot"
)

// watchVersion is the version of the watched-post record this build writes.
const watchVersion = 1

// watchRecord is how a watched post is stored under watched/<post id>.
type watchRecord struct {
	V        int       `json:"v"`
	Channel  string    `json:"channel"`
	Poster   string    `json:"poster"`
	At       time.Time `json:"at"`
	Excerpt  string    `json:"excerpt,omitempty"`
	Level    int       `json:"level,omitempty"`
	Answered bool      `json:"answered,omitempty"`
	// AnsweredAt is when the first response was made (zero in records
	// written before it was kept, and for ~Ask R&D questions).
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	Nudges     int       `json:"nudges,omitempty"`
	Taken      string    `json:"taken,omitempty"`
	Intake     bool      `json:"intake,omitempty"`
}

func decodeWatched(k, v []byte) (setbot.Watched, error) {
	var r watchRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return setbot.Watched{}, fmt.Errorf("decode watched post %s: %w", k, err)
	}
	if r.V > watchVersion {
		return setbot.Watched{}, fmt.Errorf("watched post %s has version %d; this build reads up to %d", k, r.V, watchVersion)
	}
	return setbot.Watched{Post: setbot.PostID(k), Channel: setbot.ChannelID(r.Channel), Poster: setbot.UserID(r.Poster),
		At: r.At, Excerpt: r.Excerpt, Level: setbot.Priority(r.Level), Answered: r.Answered, AnsweredAt: r.AnsweredAt,
		Nudges: r.Nudges, Taken: setbot.Username(r.Taken), Intake: r.Intake}, nil
}

func (tx *Tx) putWatched(w setbot.Watched) error {
	v, err := json.Marshal(watchRecord{V: watchVersion, Channel: string(w.Channel), Poster: string(w.Poster),
		At: w.At.UTC(), Excerpt: w.Excerpt, Level: int(w.Level), Answered: w.Answered, AnsweredAt: w.AnsweredAt.UTC(),
		Nudges: w.Nudges, Taken: string(w.Taken), Intake: w.Intake})
	if err != nil {
		return err
	}
	return tx.tx.Bucket(bucketWatched).Put([]byte(w.Post), v)
}

func (tx *Tx) watched(post setbot.PostID) (setbot.Watched, bool, error) {
	v := tx.tx.Bucket(bucketWatched).Get([]byte(post))
	if v == nil {
		return setbot.Watched{}, false, nil
	}
	w, err := decodeWatched([]byte(post), v)
	return w, err == nil, err
}

// Watch starts watching w.Post for a first response; a post already
// watched (a replay after a restart) is left as it is.
func (tx *Tx) Watch(w setbot.Watched) (added bool, err error) {
	if _, ok, err := tx.watched(w.Post); ok || err != nil {
		return false, err
	}
	return true, tx.putWatched(w)
}

// Answer records that post got its first response (a reply made at at);
// it reports false when it was answered already. A post not watched (yet:
// its reply may be handled first) gets an answered mark, so that a Watch
// after it changes nothing; marks go with PruneWatched.
func (tx *Tx) Answer(post setbot.PostID, at time.Time) (bool, error) {
	w, ok, err := tx.watched(post)
	if err != nil || ok && w.Answered {
		return false, err
	}
	if !ok {
		w = setbot.Watched{Post: post, At: at}
	}
	w.Answered, w.AnsweredAt = true, at
	return true, tx.putWatched(w)
}

// AnswerBy records a reply to post by by when post is watched and by is
// not who posted it (an ~Ask R&D question answered by its asker is still
// open); it reports whether that answered it just now.
func (tx *Tx) AnswerBy(post setbot.PostID, by setbot.UserID) (bool, error) {
	w, ok, err := tx.watched(post)
	if !ok || err != nil || w.Answered || w.Poster == by {
		return false, err
	}
	w.Answered = true
	return true, tx.putWatched(w)
}

// Take records that by is looking at the watched post. It returns who had
// taken it when someone had (then nothing changes), and ok=false when the
// post is not watched.
func (tx *Tx) Take(post setbot.PostID, by setbot.Username) (before setbot.Username, ok bool, err error) {
	w, ok, err := tx.watched(post)
	if !ok || err != nil {
		return "", false, err
	}
	if w.Taken != "" {
		return w.Taken, true, nil
	}
	w.Taken = by
	return "", true, tx.putWatched(w)
}

// Thread is the post id stored under name by SetThread ("" when none): a
// thread setbot keeps posting in, such as a day's ~Ask R&D sweeps.
func (db *DB) Thread(name string) (setbot.PostID, error) {
	var id setbot.PostID
	err := db.eng.view(func(tx kvTx) error {
		id = setbot.PostID(tx.Bucket(bucketMeta).Get([]byte(threadPrefix + name)))
		return nil
	})
	return id, err
}

// SetThread stores the root post of the thread name, once.
func (tx *Tx) SetThread(name string, root setbot.PostID) error {
	meta := tx.tx.Bucket(bucketMeta)
	if meta.Get([]byte(threadPrefix+name)) != nil {
		return nil
	}
	return meta.Put([]byte(threadPrefix+name), []byte(root))
}

const threadPrefix = "thread/"

// ClaimNudge records nudge n of post; it reports false when the post was
// answered meanwhile or nudge n was sent already, so each is sent once.
func (tx *Tx) ClaimNudge(post setbot.PostID, n int) (bool, error) {
	w, ok, err := tx.watched(post)
	if !ok || err != nil || w.Answered || w.Nudges >= n {
		return false, err
	}
	w.Nudges = n
	return true, tx.putWatched(w)
}

// Unanswered returns the watched posts without an answer yet, oldest
// first.
func (db *DB) Unanswered() ([]setbot.Watched, error) {
	var out []setbot.Watched
	err := db.eng.view(func(tx kvTx) error {
		return tx.Bucket(bucketWatched).ForEach(func(k, v []byte) error {
			w, err := decodeWatched(k, v)
			if err != nil {
				return err
			}
			if !w.Answered {
				out = append(out, w)
			}
			return nil
		})
	})
	sortWatched(out)
	return out, err
}

// PruneWatched forgets watched posts made before before, answered or not
// (and any record that no longer decodes).
func (db *DB) PruneWatched(before time.Time) (n int, err error) {
	err = db.eng.update(func(tx kvTx) error {
		n, err = deleteWhere(tx.Bucket(bucketWatched), func(k, v []byte) bool {
			w, err := decodeWatched(k, v)
			return err != nil || w.At.Before(before)
		})
		return err
	})
	return n, err
}

func sortWatched(ws []setbot.Watched) {
	slices.SortFunc(ws, func(a, b setbot.Watched) int { return a.At.Compare(b.At) })
}

// WatchedSince returns the watched posts of channel made at or after
// since, answered or not, oldest first (the week records' first
// responses).
func (db *DB) WatchedSince(channel setbot.ChannelID, since time.Time) ([]setbot.Watched, error) {
	var out []setbot.Watched
	err := db.eng.view(func(tx kvTx) error {
		return tx.Bucket(bucketWatched).ForEach(func(k, v []byte) error {
			w, err := decodeWatched(k, v)
			if err == nil && w.Channel == channel && !w.At.Before(since) {
				out = append(out, w)
			}
			return err
		})
	})
	sortWatched(out)
	return out, err
}

// Overdue counts the watched posts past their first nudge with no answer
// yet, for monitoring.
func (db *DB) Overdue() (int, error) {
	ws, err := db.Unanswered()
	n := 0
	for _, w := range ws {
		if w.Nudges > 0 {
			n++
		}
	}
	return n, err
}
