package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/bot"
	"github.com/setbot/setbot/calendar"
	"github.com/setbot/setbot/chart"
	"github.com/setbot/setbot/dispatch"
	"github.com/setbot/setbot/metrics"
	"github.com/setbot/setbot/store"
)

// Start-up and shutdown bounds.
const (
	connectRetryCap = 30 * time.Second
	shutdownBound   = 5 * time.Second // with dispatch's 8 s in flight: stopped within 15 s
)

// Main is the whole program, so that end-to-end tests can start it
// in-process: NewMain, ParseFlags (or set the fields), Run, then it closes
// everything it opened when Run returns.
type Main struct {
	ConfigPath string
	LogFormat  string
	LogLevel   string
	// Getenv reads the environment (tests replace it).
	Getenv func(string) string
	// Now is the clock (tests replace it).
	Now func() time.Time
	// JiraCheckEvery is how often a Jira that refuses setbot is checked
	// again; zero: every 5 minutes (tests shorten it).
	JiraCheckEvery time.Duration
	// Ready, when set, is closed once setbot is connected and serving.
	Ready chan struct{}
	// Addr is the HTTP address actually listened on, set before Serving
	// (and Ready) closes.
	Addr string
	// Serving, when set, is closed once the HTTP server listens: /healthz
	// answers from then on, before Mattermost is reached.
	Serving chan struct{}

	stderr io.Writer
}

// NewMain returns a Main that logs to stderr.
func NewMain(stderr io.Writer) *Main {
	return &Main{Getenv: os.Getenv, Now: time.Now, stderr: stderr}
}

// Run runs setbot until ctx ends. It returns an error when start-up fails in
// a way retrying cannot fix, or, on the postgres store, when this replica
// led and lost the leader lease (errLeaseLost). A follower waits in Run,
// serving its routes, until it leads (role.go).
func (m *Main) Run(ctx context.Context) error {
	cfg, err := LoadConfig(m.ConfigPath, m.Getenv)
	if err != nil {
		return err
	}
	log := m.logger(cfg)
	db, err := m.openStore(cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error().Err(err).Msg("close store")
		}
	}()
	key, err := db.ButtonKey()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	// The HTTP server answers /healthz from the start, while Mattermost
	// is still being reached; the full routes replace the starting ones
	// once setbot is connected.
	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http.listen: cannot listen on %s: %w", cfg.HTTP.Listen, err)
	}
	m.Addr = ln.Addr().String()
	routes := &switchHandler{}
	routes.set(startingRoutes())
	srv := &http.Server{Handler: routes, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: httpReadTimeout, WriteTimeout: httpWriteTimeout, IdleTimeout: httpIdleTimeout}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("http server stopped")
			cancel()
		}
	}()
	defer func() {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownBound)
		defer scancel()
		_ = srv.Shutdown(sctx)
		<-served
	}()
	if m.Serving != nil {
		close(m.Serving)
	}
	_, waitPprof, err := servePprof(ctx, log, cfg.HTTP.PprofListen)
	if err != nil {
		return err
	}
	defer func() { cancel(); waitPprof() }()

	client, err := m.connect(ctx, log, cfg, key, db.TempDir())
	if err != nil || client == nil {
		return err
	}
	log.Info().Str("bot", string(client.Me().Username)).Str("team", client.TeamName()).Msg("logged in to Mattermost")

	ext, checks, err := m.extensions(log, cfg)
	if err != nil {
		return err
	}
	reg := newMetrics(log, db, m.Now, cfg.Mattermost.SETChannel)
	ext.Meter = reg
	ext.Chart = func(recs []setbot.WeekRecord) ([]byte, error) {
		return chart.Weeks(recs, chart.DefaultWidth, chart.DefaultHeight)
	}
	dcfg := m.dispatchConfig(cfg, client, log)
	if r := cfg.Routing; r != nil && r.Channel != "" {
		if dcfg.RouteChannel, err = client.ChannelByName(ctx, r.Channel); err != nil {
			return fmt.Errorf("routing.channel: %s", setbot.ErrorMessage(err))
		}
	}
	d := dispatch.New(dcfg, client, db, ext)
	listener := client.NewListener(log, db, d.Deliver)
	listener.UserUpdated = d.UserUpdated
	reg.WatchWebsocket(listener.Connected, listener.Reconnects.Load)
	reg.WatchStale(d.StaleTickets)
	r := &role{shared: db.Driver() == driverPostgres}
	reg.WatchLeader(r.Leading)

	routes.set(m.routes(log, db, r, listener, client, d, reg, m.calendar(log, cfg, dcfg.Rotation, db)))

	lctx, release, ok := m.lead(ctx, log, db, cfg.Store.DSN, r)
	if !ok {
		return nil
	}
	defer release()
	watch := func(ctx context.Context) {
		watchJira(ctx, log, checks, jiraWatch{up: reg.JiraUp, note: d.NoteSetupProblem, back: d.JiraBack, sleep: sleepCtx, every: m.JiraCheckEvery})
	}
	m.serve(lctx, log, d, listener, watch)
	if errors.Is(context.Cause(lctx), store.ErrLeaseLost) {
		return errLeaseLost
	}
	return nil
}

// openStore opens the configured store: the bbolt file, or the shared
// PostgreSQL database (with [store] path, when set, as the local
// directory for uploads being checked).
func (m *Main) openStore(cfg *Config) (*store.DB, error) {
	if cfg.Store.Driver != driverPostgres {
		return store.Open(cfg.Store.Path, store.WithClock(m.Now))
	}
	opts := []store.Option{store.WithClock(m.Now)}
	if cfg.Store.Path != "" {
		opts = append(opts, store.WithLocalDir(cfg.Store.Path))
	}
	return store.OpenPostgres(cfg.Store.DSN, opts...)
}

// Bounds of setbot's HTTP server: button callbacks and probes are small and
// quick (a click's answer waits for at most a few lookups), and a slow or
// idle client must not hold a connection open.
const (
	httpReadTimeout  = 10 * time.Second
	httpWriteTimeout = 30 * time.Second
	httpIdleTimeout  = 60 * time.Second
)

// dispatchConfig is the dispatcher's part of the configuration.
func (m *Main) dispatchConfig(cfg *Config, client *bot.Client, log zerolog.Logger) dispatch.Config {
	set, ask := client.Channels()
	loc, weeks, _ := cfg.Weeks()            // checked by Validate
	pattern, _ := cfg.Pattern(loc)          // checked by Validate
	start, handover, _ := cfg.ReportTimes() // checked by Validate
	watch, _ := cfg.WatchPolicy(loc)        // checked by Validate
	stale, digest, _ := cfg.StalePolicy()   // checked by Validate
	order, _ := cfg.KanbanOrder()           // checked by Validate
	var projects []string
	if cfg.Jira != nil {
		projects = []string{cfg.Jira.Project}
	}
	if cfg.Routing != nil {
		projects = append(projects, cfg.Routing.Project)
	}
	return dispatch.Config{Projects: projects, Bot: client.Me(), SETChannel: set, AskChannel: ask, Now: m.Now, Log: log,
		Retention: time.Duration(cfg.Store.Retention),
		AckWithin: time.Duration(cfg.Escalation.AckWithin), PageL2: cfg.Escalation.PageL2, Incidents: cfg.NagPolicy(),
		Rotation: dispatch.Rotation{Location: loc, Weeks: weeks, Pattern: pattern, Admins: cfg.Admins()},
		Reports:  dispatch.Reports{Start: start, Handover: handover}, Watch: watch,
		Stale: stale, StaleDigest: digest, Order: order}
}

// serve runs the dispatcher, the listener and the background Jira check
// (watch) until ctx ends (Run stops the HTTP server after), then waits for
// all of them.
func (m *Main) serve(ctx context.Context, log zerolog.Logger, d *dispatch.Dispatcher, listener *bot.Listener, watch func(context.Context)) {
	var wg sync.WaitGroup
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Add(3)
	go func() { defer wg.Done(); watch(runCtx) }()
	go func() { defer wg.Done(); _ = d.Run(runCtx) }()
	go func() { defer wg.Done(); _ = listener.Run(runCtx) }()
	if m.Ready != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-listener.Up():
			case <-runCtx.Done():
			}
			close(m.Ready)
		}()
	}
	<-runCtx.Done()
	log.Info().Msg("stopping: finishing work in flight")
	wg.Wait()
	log.Info().Msg("stopped")
}

// connect logs in to Mattermost, retrying while the server is unreachable;
// a refused token or a missing channel ends start-up at once. Large
// uploads are downloaded into tempDir (the store's, so that a checked one
// is linked into the store rather than copied).
func (m *Main) connect(ctx context.Context, log zerolog.Logger, cfg *Config, key []byte, tempDir string) (*bot.Client, error) {
	bc := bot.Config{URL: cfg.Mattermost.URL, Token: cfg.Mattermost.Token, Team: cfg.Mattermost.Team,
		SETChannel: cfg.Mattermost.SETChannel, AskChannel: cfg.Mattermost.AskChannel, PublicURL: cfg.HTTP.PublicURL, Now: m.Now,
		TempDir: tempDir}
	wait := time.Second
	for {
		c, err := bot.Connect(ctx, bc, key)
		if err == nil {
			return c, nil
		}
		if !bot.IsUnavailable(err) {
			return nil, fmt.Errorf("mattermost: %s", setbot.ErrorMessage(err))
		}
		log.Warn().Str("error", setbot.ErrorMessage(err)).Dur("retry_in", wait).Msg("Mattermost unreachable; retrying")
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(wait):
		}
		wait = min(wait*2, connectRetryCap)
	}
}

// logger builds the zerolog logger: JSON by default, human-readable on a
// terminal or when asked.
func (m *Main) logger(cfg *Config) zerolog.Logger {
	format, level := cfg.Log.Format, cfg.Log.Level
	if m.LogFormat != "" {
		format = m.LogFormat
	}
	if m.LogLevel != "" {
		level = m.LogLevel
	}
	var w io.Writer = m.stderr
	if f, ok := m.stderr.(*os.File); format == "text" || (format == "auto" && ok && isatty.IsTerminal(f.Fd())) {
		w = zerolog.ConsoleWriter{Out: m.stderr, TimeFormat: time.RFC3339}
	}
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		lvl = zerolog.InfoLevel
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Str("app", "setbot").Logger()
}

// calendar is the rotation's iCalendar feed, or nil when [calendar] token
// is not set.
func (m *Main) calendar(log zerolog.Logger, cfg *Config, rot dispatch.Rotation, db *store.DB) http.Handler {
	if cfg.Calendar.Token == "" {
		return nil
	}
	return calendar.Handler{Token: cfg.Calendar.Token, Now: m.Now, Log: log,
		Roster: func() (setbot.Roster, error) { return rot.Roster(db) }}
}

// routes serves health, readiness, metrics, button callbacks and, when
// cal is not nil, the calendar feed. /readyz names the replica's role: a
// follower is ready once its store answers (it serves clicks), a leader
// once it listens and has caught up. Replicas sharing a store answer 200
// whenever their store answers (any of them serves clicks; issue 18),
// the body saying what the leader still waits for.
func (m *Main) routes(log zerolog.Logger, db *store.DB, r *role, l *bot.Listener, c *bot.Client, d *dispatch.Dispatcher, reg *metrics.Registry, cal http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		switch {
		case db.Ping() != nil:
			http.Error(w, r.String()+": store not reachable", http.StatusServiceUnavailable)
		case !r.Leading():
			fmt.Fprintln(w, "ready: follower (another replica leads; this one answers buttons)")
		case !l.Connected():
			notReady(w, r, "leader: websocket not connected")
		case !l.CaughtUp():
			notReady(w, r, "leader: catching up on posts missed while disconnected")
		default:
			fmt.Fprintln(w, "ready: leader")
		}
	})
	mux.Handle("GET /metrics", reg.Handler())
	mux.Handle("POST "+bot.ActionPath, c.ActionHandler(log, d.Click))
	if cal != nil {
		mux.Handle(calendar.Route, cal)
	}
	return mux
}

// notReady answers /readyz for a leader not yet listening: 503, or, among
// replicas sharing a store, 200 (its clicks are served all the same).
func notReady(w http.ResponseWriter, r *role, why string) {
	if r.shared {
		fmt.Fprintln(w, why+" (buttons are answered)")
		return
	}
	http.Error(w, why, http.StatusServiceUnavailable)
}
