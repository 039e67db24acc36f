package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/setbot/setbot"
)

// WatchConfig is [watch]: the first-response watch of ~sustained-engineering.
type WatchConfig struct {
	// FirstResponse is how long a top-level post by someone not on SET may
	// wait for a SET member's reply before the primary is mentioned;
	// unset: 1h; "0": the watch is off.
	FirstResponse *Duration `toml:"first_response"`
	// Hours is when that clock runs, in [rotation] timezone; unset:
	// defaultWatchHours; "": always.
	Hours *string `toml:"hours"`
	// Targets are the L1 and L2 first-response targets; their clocks run
	// around the clock.
	Targets map[string]Duration `toml:"targets"`
}

const (
	defaultFirstResponse = time.Hour
	defaultWatchHours    = "Mon-Fri 08:00-18:00"
	minWatchDuration     = time.Second
)

// WatchPolicy reads [watch] in loc; Validate has checked it.
func (c *Config) WatchPolicy(loc *time.Location) (setbot.WatchPolicy, error) {
	w := c.Watch
	p := setbot.WatchPolicy{FirstResponse: defaultFirstResponse, Location: loc, Targets: map[setbot.Priority]time.Duration{}}
	if w.FirstResponse != nil {
		p.FirstResponse = time.Duration(*w.FirstResponse)
	}
	if p.FirstResponse != 0 && p.FirstResponse < minWatchDuration {
		return p, fmt.Errorf("watch.first_response: must be at least %s, or \"0\" to turn the watch off; got %s", minWatchDuration, p.FirstResponse)
	}
	hours := defaultWatchHours
	if w.Hours != nil {
		hours = *w.Hours
	}
	h, err := setbot.ParseHours(hours)
	if err != nil {
		return p, fmt.Errorf("watch.hours: %s", setbot.ErrorMessage(err))
	}
	p.Hours = h
	for level, d := range setbot.DefaultWatchTargets {
		p.Targets[level] = d
	}
	for k, d := range w.Targets {
		level, err := setbot.ParsePriority(k)
		if err != nil || !level.Urgent() || !strings.EqualFold(k, level.String()) {
			return p, fmt.Errorf("watch.targets: %q is not L1 or L2 (only those have their own targets)", k)
		}
		if time.Duration(d) < minWatchDuration {
			return p, fmt.Errorf("watch.targets.%s: must be at least %s, got %s", level, minWatchDuration, time.Duration(d))
		}
		p.Targets[level] = time.Duration(d)
	}
	return p, nil
}
