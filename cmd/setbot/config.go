package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/dispatch"
	"github.com/setbot/setbot/jira"
)

// Config is setbot's configuration file. Key names are a contract: the
// README, config.example.toml and the demo rely on them.
type Config struct {
	Mattermost MattermostConfig `toml:"mattermost"`
	HTTP       HTTPConfig       `toml:"http"`
	Jira       *jira.Config     `toml:"jira"`
	Store      StoreConfig      `toml:"store"`
	Rotation   RotationConfig   `toml:"rotation"`
	Incidents  IncidentsConfig  `toml:"incidents"`
	Escalation EscalationConfig `toml:"escalation"`
	Reports    ReportsConfig    `toml:"reports"`
	Intake     IntakeConfig     `toml:"intake"`
	Routing    *RoutingConfig   `toml:"routing"`
	Calendar   CalendarConfig   `toml:"calendar"`
	Watch      WatchConfig      `toml:"watch"`
	Stale      StaleConfig      `toml:"stale"`
	Order      OrderConfig      `toml:"order"`
	Log        LogConfig        `toml:"log"`
}

// CalendarConfig is [calendar]: the rotation's iCalendar feed.
type CalendarConfig struct {
	// Token, when set, serves GET /calendar/<token>.ics on [http] listen;
	// it is a secret (anyone with it reads the rotation) and never logged.
	Token string `toml:"token"`
}

// minCalendarToken is the shortest calendar token accepted: the feed is
// unauthenticated, so its URL must not be guessable.
const minCalendarToken = 16

// MattermostConfig is [mattermost].
type MattermostConfig struct {
	URL        string `toml:"url"`
	Token      string `toml:"token"`
	Team       string `toml:"team"`
	SETChannel string `toml:"set_channel"`
	AskChannel string `toml:"ask_channel"`
}

// HTTPConfig is [http].
type HTTPConfig struct {
	Listen    string `toml:"listen"`
	PublicURL string `toml:"public_url"`
	// PprofListen, when set, serves Go's /debug/pprof there (loopback
	// only; pprof.go).
	PprofListen string `toml:"pprof_listen"`
}

// StoreConfig is [store].
type StoreConfig struct {
	// Driver is "bbolt" (one file, one replica; the default) or
	// "postgres" (shared by replicas, one of which leads).
	Driver string `toml:"driver"`
	Path   string `toml:"path"`
	// DSN is the PostgreSQL connection string (SETBOT_STORE_DSN
	// overrides it). It holds a password: it is never logged.
	DSN string `toml:"dsn"`
	// Retention is how long handled-post marks are kept.
	Retention Duration `toml:"retention"`
}

// RotationConfig is [rotation] with its [[rotation.week]] entries.
type RotationConfig struct {
	Timezone string       `toml:"timezone"`
	Admins   []string     `toml:"admins"`
	Weeks    []WeekConfig `toml:"week"`
	// The pattern (optional): members rotate, one week backup then one
	// week primary; leads take turns every lead_weeks weeks from starts.
	Members   []string `toml:"members"`
	Leads     []string `toml:"leads"`
	Starts    string   `toml:"starts"`
	LeadWeeks int      `toml:"lead_weeks"`
}

// WeekConfig is one [[rotation.week]].
type WeekConfig struct {
	Starts  string `toml:"starts"`
	Primary string `toml:"primary"`
	Backup  string `toml:"backup"`
	Lead    string `toml:"lead"`
}

// IncidentsConfig is [incidents].
type IncidentsConfig struct {
	UpdateEvery Duration `toml:"update_every"`
	// UpdateEveryL1 and UpdateEveryL2 override UpdateEvery for one
	// priority; zero: UpdateEvery.
	UpdateEveryL1 Duration `toml:"update_every_l1"`
	UpdateEveryL2 Duration `toml:"update_every_l2"`
	// Grace is how long after an update is due the SET lead is mentioned too.
	Grace Duration `toml:"grace"`
}

// minIncidentDuration is the shortest [incidents] duration: the timer loop
// ticks every couple of seconds, so anything shorter would remind on every
// tick.
const minIncidentDuration = time.Second

// NagPolicy is [incidents] as the reminders use it.
func (c *Config) NagPolicy() setbot.NagPolicy {
	p := setbot.NagPolicy{Default: time.Duration(c.Incidents.UpdateEvery), Grace: time.Duration(c.Incidents.Grace),
		Every: map[setbot.Priority]time.Duration{}}
	if d := c.Incidents.UpdateEveryL1; d > 0 {
		p.Every[setbot.L1] = time.Duration(d)
	}
	if d := c.Incidents.UpdateEveryL2; d > 0 {
		p.Every[setbot.L2] = time.Duration(d)
	}
	return p
}

func (c *IncidentsConfig) validate() error {
	for _, k := range []struct {
		key string
		d   Duration
	}{{"incidents.update_every", c.UpdateEvery}, {"incidents.update_every_l1", c.UpdateEveryL1},
		{"incidents.update_every_l2", c.UpdateEveryL2}, {"incidents.grace", c.Grace}} {
		if k.d != 0 && time.Duration(k.d) < minIncidentDuration {
			return fmt.Errorf("%s: must be at least %s, got %s", k.key, minIncidentDuration, time.Duration(k.d))
		}
	}
	return nil
}

// ReportsConfig is [reports]: when the weekly cycle reports are posted,
// as "Mon 09:00" in [rotation] timezone. Unset keys take the defaults; an
// empty string turns that report off (hence the pointers).
type ReportsConfig struct {
	Start    *string `toml:"start"`
	Handover *string `toml:"handover"`
}

// ReportTimes reads [reports]; a nil time means the report is off.
func (c *Config) ReportTimes() (start, handover *setbot.ReportTime, err error) {
	read := func(key string, v *string, def setbot.ReportTime) (*setbot.ReportTime, error) {
		if v == nil {
			return &def, nil
		}
		if strings.TrimSpace(*v) == "" {
			return nil, nil
		}
		rt, err := setbot.ParseReportTime(*v)
		if err != nil {
			return nil, fmt.Errorf("reports.%s: %s Use \"\" to turn this report off.", key, setbot.ErrorMessage(err))
		}
		return &rt, nil
	}
	if start, err = read("start", c.Reports.Start, setbot.DefaultStartReport); err != nil {
		return nil, nil, err
	}
	handover, err = read("handover", c.Reports.Handover, setbot.DefaultHandoverReport)
	return start, handover, err
}

// EscalationConfig is [escalation].
type EscalationConfig struct {
	AckWithin Duration `toml:"ack_within"`
	// PageL2 makes L2 intakes page SET too (L1 intakes always do).
	PageL2 bool `toml:"page_l2"`
	// WebhookURL receives every page step and acknowledgement as JSON. It
	// may hold a secret: it is never logged.
	WebhookURL string `toml:"webhook_url"`
}

// IntakeConfig is [intake].
type IntakeConfig struct {
	RemindAfter Duration `toml:"remind_after"`
	ExpireAfter Duration `toml:"expire_after"`
	// NotForSET tells a support engineer whom to ask about a feature
	// request or an L4 item when no [routing] is configured.
	NotForSET string `toml:"not_for_set"`
}

// LogConfig is [log].
type LogConfig struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // json, text, or auto (text on a terminal)
}

// Defaults for optional keys.
const (
	defaultSETChannel  = "sustained-engineering"
	defaultAskChannel  = "ask-r-and-d"
	defaultListen      = "127.0.0.1:8066"
	defaultUpdateEvery = 24 * time.Hour
	defaultGrace       = 4 * time.Hour
	defaultAckWithin   = 15 * time.Minute
	defaultRetention   = dispatch.DefaultRetention
	minRetention       = 24 * time.Hour
	defaultRemindAfter = conversations.DefaultRemindAfter
	defaultExpireAfter = conversations.DefaultExpireAfter
)

// Environment variables that override secrets in the file.
const (
	envMattermostToken = "SETBOT_MATTERMOST_TOKEN"
	envJiraToken       = "SETBOT_JIRA_TOKEN"
	envCalendarToken   = "SETBOT_CALENDAR_TOKEN"
	envStoreDSN        = "SETBOT_STORE_DSN"
)

// The store drivers.
const (
	driverBolt     = "bbolt"
	driverPostgres = "postgres"
)

// LoadConfig reads, decodes strictly (unknown keys are errors), applies
// environment overrides and defaults, and validates a configuration file.
func LoadConfig(path string, getenv func(string) string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	var c Config
	md, err := toml.Decode(string(data), &c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			if perr.LastKey != "" {
				return nil, fmt.Errorf("config %s: line %d: %s: %s", path, perr.Position.Line, perr.LastKey, perr.Message)
			}
			return nil, fmt.Errorf("config %s: line %d: %s", path, perr.Position.Line, perr.Message)
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		keys := make([]string, len(undec))
		for i, k := range undec {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("config %s: unknown key %s (check the spelling against config.example.toml)", path, strings.Join(keys, ", "))
	}
	if v := getenv(envMattermostToken); v != "" {
		c.Mattermost.Token = v
	}
	if v := getenv(envCalendarToken); v != "" {
		c.Calendar.Token = v
	}
	if v := getenv(envStoreDSN); v != "" {
		c.Store.DSN = v
	}
	if c.Jira != nil {
		if v := getenv(envJiraToken); v != "" {
			c.Jira.Token = v
		}
	}
	c.setDefaults()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &c, nil
}

func (c *Config) setDefaults() {
	c.Mattermost.URL = strings.TrimRight(strings.TrimSpace(c.Mattermost.URL), "/")
	setDefault(&c.Mattermost.SETChannel, defaultSETChannel)
	setDefault(&c.Mattermost.AskChannel, defaultAskChannel)
	setDefault(&c.HTTP.Listen, defaultListen)
	setDefault(&c.Rotation.Timezone, "UTC")
	setDefault(&c.Store.Driver, driverBolt)
	setDefault(&c.Log.Level, "info")
	setDefault(&c.Log.Format, "auto")
	setDefaultDuration(&c.Incidents.UpdateEvery, defaultUpdateEvery)
	setDefaultDuration(&c.Incidents.Grace, defaultGrace)
	setDefaultDuration(&c.Escalation.AckWithin, defaultAckWithin)
	setDefaultDuration(&c.Store.Retention, defaultRetention)
	setDefaultDuration(&c.Intake.RemindAfter, defaultRemindAfter)
	setDefaultDuration(&c.Intake.ExpireAfter, defaultExpireAfter)
	if c.Jira != nil {
		c.Jira.SetDefaults()
	}
}

func setDefault(s *string, v string) {
	if strings.TrimSpace(*s) == "" {
		*s = v
	}
}

func setDefaultDuration(d *Duration, v time.Duration) {
	if *d == 0 {
		*d = Duration(v)
	}
}

// Validate reports the first problem, naming its key and why.
func (c *Config) Validate() error {
	if err := checkURL("mattermost.url", c.Mattermost.URL, true); err != nil {
		return err
	}
	if c.Mattermost.Token == "" {
		return fmt.Errorf("mattermost.token: must be set (or %s): the bot account's access token", envMattermostToken)
	}
	if c.Mattermost.Team == "" {
		return errors.New("mattermost.team: must be set to the team's name (the part of the URL after the server address)")
	}
	if err := c.Store.validate(); err != nil {
		return err
	}
	if err := checkLoopback("http.pprof_listen", c.HTTP.PprofListen); err != nil {
		return err
	}
	if err := checkURL("http.public_url", c.HTTP.PublicURL, false); err != nil {
		return err
	}
	if err := checkSecretURL("escalation.webhook_url", c.Escalation.WebhookURL); err != nil {
		return err
	}
	if _, err := time.LoadLocation(c.Rotation.Timezone); err != nil {
		return fmt.Errorf("rotation.timezone: %q is not an IANA time zone name (e.g. \"America/New_York\")", c.Rotation.Timezone)
	}
	if _, err := c.Roster(); err != nil {
		return err
	}
	for _, k := range []struct {
		key string
		d   Duration
	}{{"incidents.update_every", c.Incidents.UpdateEvery}, {"escalation.ack_within", c.Escalation.AckWithin},
		{"store.retention", c.Store.Retention}, {"intake.remind_after", c.Intake.RemindAfter}, {"intake.expire_after", c.Intake.ExpireAfter}} {
		if k.d < 0 {
			return fmt.Errorf("%s: must be positive, got %s", k.key, time.Duration(k.d))
		}
	}
	if time.Duration(c.Store.Retention) < minRetention {
		return fmt.Errorf("store.retention: must be at least 1d (catch-up after a restart replays posts whose handled marks must still be there), got %s", time.Duration(c.Store.Retention))
	}
	if err := c.Incidents.validate(); err != nil {
		return err
	}
	if _, _, err := c.ReportTimes(); err != nil {
		return err
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level: must be debug, info, warn or error, got %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text", "auto":
	default:
		return fmt.Errorf("log.format: must be json, text or auto, got %q", c.Log.Format)
	}
	if t := c.Calendar.Token; t != "" && (len(t) < minCalendarToken || strings.ContainsAny(t, "/?#% ")) {
		return fmt.Errorf("calendar.token: must be at least %d characters without / ? # %% or spaces (e.g. the output of `openssl rand -hex 16`), or \"\" to turn the feed off", minCalendarToken)
	}
	if _, err := c.WatchPolicy(time.UTC); err != nil {
		return err
	}
	if _, _, err := c.StalePolicy(); err != nil {
		return err
	}
	if _, err := c.KanbanOrder(); err != nil {
		return err
	}
	if err := c.Routing.validate(c.Jira != nil); err != nil {
		return err
	}
	if c.Jira != nil {
		return c.Jira.Validate()
	}
	return nil
}

func checkURL(key, v string, required bool) error {
	if v == "" {
		if required {
			return fmt.Errorf("%s: must be set, e.g. https://chat.example.com", key)
		}
		return nil
	}
	switch setbot.URLProblem(v) {
	case setbot.URLNotHTTP:
		return fmt.Errorf("%s: must be an http(s) URL, got %q", key, v)
	case setbot.URLCredentials:
		return fmt.Errorf("%s: must not contain credentials", key)
	}
	return nil
}

// checkSecretURL is checkURL for a URL that may carry a secret in its path
// or query: the message never repeats the value.
func checkSecretURL(key, v string) error {
	switch {
	case v == "":
		return nil
	case setbot.URLProblem(v) == setbot.URLNotHTTP:
		return fmt.Errorf("%s: must be an http(s) URL such as \"https://pager.example.com/hooks/...\"", key)
	case setbot.URLProblem(v) == setbot.URLCredentials:
		return fmt.Errorf("%s: must not contain credentials before the host (put a token in the path or query)", key)
	}
	return nil
}

// Roster builds the rotation from [rotation] (overrides come from the store).
func (c *Config) Roster() (setbot.Roster, error) {
	loc, weeks, err := c.Weeks()
	if err != nil {
		return setbot.Roster{}, err
	}
	r, err := setbot.NewRoster(loc, weeks, nil)
	if err != nil {
		return setbot.Roster{}, fmt.Errorf("rotation.week: %s", setbot.ErrorMessage(err))
	}
	p, err := c.Pattern(loc)
	if err != nil {
		return setbot.Roster{}, err
	}
	if r, err = r.WithPattern(p); err != nil {
		return setbot.Roster{}, fmt.Errorf("rotation: %s", setbot.ErrorMessage(err))
	}
	return r, nil
}

// Pattern reads the rotation pattern (members, leads, starts, lead_weeks);
// nil when no members are listed.
func (c *Config) Pattern(loc *time.Location) (*setbot.Pattern, error) {
	r := c.Rotation
	if len(r.Members) == 0 {
		if len(r.Leads) > 0 || r.Starts != "" {
			return nil, errors.New("rotation.members: list the SET engineers in rotation order, or drop leads and starts")
		}
		return nil, nil
	}
	starts, err := setbot.ParseWeekStart(r.Starts, loc)
	if err != nil {
		return nil, fmt.Errorf("rotation.starts: %s", setbot.ErrorMessage(err))
	}
	p := &setbot.Pattern{Starts: starts, LeadWeeks: max(r.LeadWeeks, 1)}
	if r.LeadWeeks < 0 {
		return nil, fmt.Errorf("rotation.lead_weeks: must be at least 1, got %d", r.LeadWeeks)
	}
	for _, m := range r.Members {
		p.Members = append(p.Members, username(m))
	}
	for _, l := range r.Leads {
		p.Leads = append(p.Leads, username(l))
	}
	return p, nil
}

// Weeks reads [rotation] timezone and its [[rotation.week]] entries.
func (c *Config) Weeks() (*time.Location, []setbot.Week, error) {
	loc, err := time.LoadLocation(c.Rotation.Timezone)
	if err != nil {
		return nil, nil, fmt.Errorf("rotation.timezone: %w", err)
	}
	weeks := make([]setbot.Week, 0, len(c.Rotation.Weeks))
	for i, w := range c.Rotation.Weeks {
		start, err := setbot.ParseWeekStart(w.Starts, loc)
		if err != nil {
			return nil, nil, fmt.Errorf("rotation.week[%d].starts: %s", i, setbot.ErrorMessage(err))
		}
		weeks = append(weeks, setbot.Week{Starts: start, Primary: username(w.Primary),
			Backup: username(w.Backup), Lead: username(w.Lead)})
	}
	return loc, weeks, nil
}

// Admins are the usernames in rotation.admins.
func (c *Config) Admins() []setbot.Username {
	out := make([]setbot.Username, len(c.Rotation.Admins))
	for i, a := range c.Rotation.Admins {
		out[i] = username(a)
	}
	return out
}

func username(s string) setbot.Username {
	return setbot.Username(strings.TrimPrefix(strings.TrimSpace(s), "@"))
}

// Duration is a time.Duration written as a Go duration string; "d" counts
// days ("2d", "1d12h").
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// ParseDuration is time.ParseDuration that also accepts days ("d").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a duration such as \"15m\", \"24h\" or \"2d\"", s)
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as \"15m\", \"24h\" or \"2d\"", s)
	}
	return days + v, nil
}

// validate checks [store]: a file for bbolt, a DSN for postgres.
func (s StoreConfig) validate() error {
	switch s.Driver {
	case driverBolt:
		if s.Path == "" {
			return errors.New("store.path: must be set, e.g. \"/var/lib/setbot/setbot.db\"")
		}
	case driverPostgres:
		if s.DSN == "" {
			return fmt.Errorf("store.dsn: must be set (or %s) when store.driver is \"postgres\", e.g. \"postgres://setbot:…@db:5432/setbot?sslmode=require\"", envStoreDSN)
		}
	default:
		return fmt.Errorf("store.driver: must be \"bbolt\" or \"postgres\", got %q", s.Driver)
	}
	return nil
}

// Describe names the store for people: the file, or "postgres" (never
// the DSN, which holds a password).
func (s StoreConfig) Describe() string {
	if s.Driver == driverPostgres {
		return "postgres"
	}
	return s.Path
}
