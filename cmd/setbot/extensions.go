package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/bot"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/dispatch"
	"github.com/setbot/setbot/jira"
	"github.com/setbot/setbot/playbooks"
	"github.com/setbot/setbot/webhook"
)

// extensions builds the optional parts (Jira) from the configuration, and
// the checks of each Jira project setbot files into, which watchJira runs
// in the background.
func (m *Main) extensions(log zerolog.Logger, cfg *Config) (dispatch.Extensions, []jiraCheck, error) {
	ext := dispatch.Extensions{Redact: bot.RedactConfig, Intake: conversations.Options{
		RemindAfter: time.Duration(cfg.Intake.RemindAfter), ExpireAfter: time.Duration(cfg.Intake.ExpireAfter),
		RouteTeam: cfg.Routing.team(), NotForSET: cfg.Intake.NotForSET}}
	// Playbooks is asked about incident channels; a server without the
	// plugin answers 404, which only means that source is absent.
	ext.Playbooks = playbooks.New(cfg.Mattermost.URL, cfg.Mattermost.Token, nil)
	if cfg.Escalation.WebhookURL != "" {
		hook, err := webhook.New(cfg.Escalation.WebhookURL, nil)
		if err != nil {
			return ext, nil, fmt.Errorf("escalation.webhook_url: %w", err)
		}
		ext.Webhook = hook
		log.Info().Str("host", hook.Host()).Msg("page steps and acknowledgements go to the webhook")
	}
	if cfg.Jira == nil {
		log.Warn().Msg("no [jira] table: confirmed intakes wait in the outbox until Jira is configured")
		return ext, nil, nil
	}
	c, err := jira.New(*cfg.Jira, jira.WithLogger(log))
	if err != nil {
		return ext, nil, fmt.Errorf("jira: %w", err)
	}
	// Jira is checked in the background (watchJira): setbot never waits
	// on it to start, page or answer.
	checks := []jiraCheck{{"jira", c.Check}}
	ext.Tracker = c
	if cfg.Routing != nil {
		rc, err := jira.NewRouted(*cfg.Jira, cfg.Routing.route(), jira.WithLogger(log.With().Str("jira", "routing").Logger()))
		if err != nil {
			return ext, nil, fmt.Errorf("routing: %w", err)
		}
		checks = append(checks, jiraCheck{"routing", rc.Check})
		ext.Route = rc
	}
	for name := range cfg.Jira.Accounts {
		ext.JiraAccounts = append(ext.JiraAccounts, setbot.Username(name))
	}
	slices.Sort(ext.JiraAccounts)
	ext.HandoverInvites = map[string][]setbot.Username{}
	for name, t := range cfg.Jira.HandoverTeams {
		ext.HandoverTeams = append(ext.HandoverTeams, name)
		for _, u := range t.Invite {
			ext.HandoverInvites[name] = append(ext.HandoverInvites[name], setbot.Username(strings.TrimPrefix(u, "@")))
		}
	}
	return ext, checks, nil
}
