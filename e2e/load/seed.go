package load

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/store"
)

// Seed is what Seed writes into a store before setbot starts on it.
type Seed struct {
	Incidents int // tracked incidents, SEED-1 onward
	// Resolved of the Incidents are resolved, the rest open: only open
	// ones are reminded about, but every one is kept until retention
	// prunes it.
	Resolved      int
	Conversations int // intakes under way, one per (made-up) person
}

// seedBatch is how many records one seeding transaction writes: large
// enough that seeding 10,000 takes a few commits, small enough that a
// transaction's dirty pages stay a few MB.
const seedBatch = 500

// SeedStore writes s into the store file at path through package store, as
// setbot would have written it: incidents tracked (and some resolved) with
// a recent update, so that none is due a reminder while a measurement
// runs, and conversations stepped by the real intake flow to somewhere
// between its first question and its priority question, last active just
// now, so that none is due a reminder either. The store is closed when it
// returns.
func SeedStore(path string, s Seed, now time.Time) error {
	if s.Resolved > s.Incidents {
		return fmt.Errorf("seed: %d resolved of %d incidents", s.Resolved, s.Incidents)
	}
	db, err := store.Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	for from := 0; from < s.Incidents; from += seedBatch {
		err := db.Update(now, func(tx *store.Tx) error {
			for i := from; i < min(from+seedBatch, s.Incidents); i++ {
				in := seedIncident(i, now)
				if _, _, err := tx.TrackIncident(in); err != nil {
					return err
				}
				if i < s.Resolved {
					if _, _, err := tx.ResolveIncident(in.Key); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed incidents: %w", err)
		}
	}
	for from := 0; from < s.Conversations; from += seedBatch {
		err := db.Update(now, func(tx *store.Tx) error {
			for i := from; i < min(from+seedBatch, s.Conversations); i++ {
				user, raw, err := seedConversation(i, now)
				if err != nil {
					return err
				}
				if err := tx.PutConversation(user, raw); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed conversations: %w", err)
		}
	}
	return nil
}

// seedIncident is the i-th seeded incident: L1 and L2 in turn (the levels
// setbot tracks), opened some days ago and updated a minute ago.
func seedIncident(i int, now time.Time) setbot.Incident {
	return setbot.Incident{
		Key:        setbot.IssueKey(fmt.Sprintf("SEED-%d", i+1)),
		Priority:   setbot.L1 + setbot.Priority(i%2),
		Title:      fmt.Sprintf("Customer %d: posts fail to send after the upgrade to 10.11 (HTTP 500 on /api/v4/posts)", i+1),
		Root:       setbot.PostID(fmt.Sprintf("seedroot%018d", i+1)),
		Owner:      setbot.Username(fmt.Sprintf("engineer%d", i%7)),
		Reporter:   setbot.UserID(fmt.Sprintf("seedreporter%014d", i%50)),
		Opened:     now.Add(-time.Duration(i%96) * time.Hour),
		LastUpdate: now.Add(-time.Minute),
	}
}

// seedConversation is the i-th person's intake under way: the standard
// intake's text answers, as far as step 2 to 8, by the real flow.
func seedConversation(i int, now time.Time) (setbot.UserID, []byte, error) {
	user := setbot.UserID(fmt.Sprintf("seeduser%018d", i+1))
	name := setbot.Username(fmt.Sprintf("seed%d", i+1))
	var s conversations.State
	var flow conversations.Flow
	steps := Steps(fmt.Sprintf("seed%d", i+1))
	for _, st := range steps[:2+i%7] {
		next, _, err := flow.Step(s, conversations.Input{Kind: conversations.Text, Text: st.Text, User: user, Username: name}, now)
		if err != nil {
			return "", nil, fmt.Errorf("seed conversation %d: %w", i+1, err)
		}
		s = next
	}
	if !s.Active() {
		return "", nil, fmt.Errorf("seed conversation %d: the intake did not start", i+1)
	}
	raw, err := json.Marshal(s)
	return user, raw, err
}
