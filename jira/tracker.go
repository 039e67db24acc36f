package jira

import "github.com/setbot/setbot"

var _ setbot.Tracker = (*Client)(nil)
