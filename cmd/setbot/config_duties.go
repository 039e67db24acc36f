package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/setbot/setbot"
)

// StaleConfig is [stale]: how long an open ticket may go without a Jira
// update, by level, and when the daily digest of stale tickets is posted.
type StaleConfig struct {
	L1 *Duration `toml:"L1"`
	L2 *Duration `toml:"L2"`
	L3 *Duration `toml:"L3"`
	L4 *Duration `toml:"L4"`
	// Digest is the weekday time of the digest, in [rotation] timezone;
	// unset: defaultStaleDigest; "": no digest.
	Digest *string `toml:"digest"`
}

// OrderConfig is [order]: the JQL fragments that class the Kanban TO DO
// tickets, highest first (hotfix > release > customer > other); unset:
// setbot.DefaultOrder's; "": that class is not used.
type OrderConfig struct {
	Hotfix   *string `toml:"hotfix"`
	Release  *string `toml:"release"`
	Customer *string `toml:"customer"`
}

const defaultStaleDigest = "09:30"

// StalePolicy reads [stale]: the policy and the digest's time of day (nil:
// no digest).
func (c *Config) StalePolicy() (setbot.StalePolicy, *time.Duration, error) {
	p := setbot.DefaultStalePolicy()
	for level, d := range map[setbot.Priority]*Duration{setbot.L1: c.Stale.L1, setbot.L2: c.Stale.L2, setbot.L3: c.Stale.L3, setbot.L4: c.Stale.L4} {
		if d == nil {
			continue
		}
		if time.Duration(*d) < time.Hour {
			return p, nil, fmt.Errorf("stale.%s: must be at least 1h, got %s", level, time.Duration(*d))
		}
		p[level] = time.Duration(*d)
	}
	at := defaultStaleDigest
	if c.Stale.Digest != nil {
		at = strings.TrimSpace(*c.Stale.Digest)
	}
	if at == "" {
		return p, nil, nil
	}
	t, err := time.Parse("15:04", at)
	if err != nil {
		return p, nil, fmt.Errorf("stale.digest: %q is not a 24-hour time like \"09:30\", or \"\" to turn the digest off", at)
	}
	tod := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	return p, &tod, nil
}

// KanbanOrder reads [order], highest class first.
func (c *Config) KanbanOrder() ([]setbot.OrderClass, error) {
	var out []setbot.OrderClass
	set := map[string]*string{"hotfix": c.Order.Hotfix, "release": c.Order.Release, "customer": c.Order.Customer}
	for _, def := range setbot.DefaultOrder() {
		jql := def.JQL
		if v := set[def.Name]; v != nil {
			jql = strings.TrimSpace(*v)
		}
		if jql == "" {
			continue
		}
		if strings.Contains(strings.ToLower(jql), "order by") {
			return nil, fmt.Errorf("order.%s: a fragment that selects tickets, without ORDER BY (setbot reads the column in rank order itself)", def.Name)
		}
		out = append(out, setbot.OrderClass{Name: def.Name, JQL: jql})
	}
	if out == nil {
		out = []setbot.OrderClass{} // every class off: all tickets are "other"
	}
	return out, nil
}
