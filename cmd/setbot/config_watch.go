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
	// AskAfter is how old an unanswered ~Ask R&D question is when the
	// sweep lists it; unset: 2h.
	AskAfter *Duration `toml:"ask_after"`
	// AskSweep are the weekday times of the ~Ask R&D sweep; unset:
	// 10:00 and 15:00; []: no sweep.
	AskSweep *[]string `toml:"ask_sweep"`
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
	return p, w.askSweep(&p)
}

// Defaults of the ~Ask R&D sweep.
var (
	defaultAskAfter = 2 * time.Hour
	defaultAskSweep = []string{"10:00", "15:00"}
)

// askSweep reads [watch] ask_after and ask_sweep into p.
func (w WatchConfig) askSweep(p *setbot.WatchPolicy) error {
	p.AskAfter = defaultAskAfter
	if w.AskAfter != nil {
		p.AskAfter = time.Duration(*w.AskAfter)
	}
	if p.AskAfter < 0 {
		return fmt.Errorf("watch.ask_after: must not be negative, got %s", p.AskAfter)
	}
	times := defaultAskSweep
	if w.AskSweep != nil {
		times = *w.AskSweep
	}
	p.AskSweep = nil
	for _, s := range times {
		t, err := time.Parse("15:04", strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("watch.ask_sweep: %q is not a 24-hour time like \"10:00\"", s)
		}
		p.AskSweep = append(p.AskSweep, time.Duration(t.Hour())*time.Hour+time.Duration(t.Minute())*time.Minute)
	}
	return nil
}
