package main

import (
	"context"
	"fmt"
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

// extensions builds the optional parts (Jira) from the configuration. Jira's
// project is checked at start-up: a field setbot cannot fill stops start-up
// with its name; an unreachable Jira only delays filing (requests wait in
// the outbox).
func (m *Main) extensions(ctx context.Context, log zerolog.Logger, cfg *Config) (dispatch.Extensions, error) {
	ext := dispatch.Extensions{Redact: bot.RedactConfig, Intake: conversations.Options{
		RemindAfter: time.Duration(cfg.Intake.RemindAfter), ExpireAfter: time.Duration(cfg.Intake.ExpireAfter),
		RouteTeam: cfg.Routing.team(), NotForSET: cfg.Intake.NotForSET}}
	// Playbooks is asked about incident channels; a server without the
	// plugin answers 404, which only means that source is absent.
	ext.Playbooks = playbooks.New(cfg.Mattermost.URL, cfg.Mattermost.Token, nil)
	if cfg.Escalation.WebhookURL != "" {
		hook, err := webhook.New(cfg.Escalation.WebhookURL, nil)
		if err != nil {
			return ext, fmt.Errorf("escalation.webhook_url: %w", err)
		}
		ext.Webhook = hook
		log.Info().Str("host", hook.Host()).Msg("page steps and acknowledgements go to the webhook")
	}
	if cfg.Jira == nil {
		log.Warn().Msg("no [jira] table: confirmed intakes wait in the outbox until Jira is configured")
		return ext, nil
	}
	c, err := jira.New(*cfg.Jira, jira.WithLogger(log))
	if err != nil {
		return ext, fmt.Errorf("jira: %w", err)
	}
	if err := c.Check(ctx); err != nil {
		if setbot.ErrorCode(err) != setbot.EUnavailable {
			return ext, fmt.Errorf("jira: %s", setbot.ErrorMessage(err))
		}
		log.Warn().Str("error", setbot.ErrorMessage(err)).Msg("Jira unreachable at start-up; tickets are queued until it answers")
	}
	ext.Tracker = c
	if cfg.Routing != nil {
		rc, err := jira.NewRouted(*cfg.Jira, cfg.Routing.route(), jira.WithLogger(log.With().Str("jira", "routing").Logger()))
		if err != nil {
			return ext, fmt.Errorf("routing: %w", err)
		}
		if err := rc.Check(ctx); err != nil {
			if setbot.ErrorCode(err) != setbot.EUnavailable {
				return ext, fmt.Errorf("routing: %s", setbot.ErrorMessage(err))
			}
			log.Warn().Str("error", setbot.ErrorMessage(err)).Msg("Jira unreachable at start-up; routed tickets are queued until it answers")
		}
		ext.Route = rc
	}
	ext.HandoverInvites = map[string][]setbot.Username{}
	for name, t := range cfg.Jira.HandoverTeams {
		ext.HandoverTeams = append(ext.HandoverTeams, name)
		for _, u := range t.Invite {
			ext.HandoverInvites[name] = append(ext.HandoverInvites[name], setbot.Username(strings.TrimPrefix(u, "@")))
		}
	}
	return ext, nil
}
