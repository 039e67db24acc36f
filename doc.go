// Package setbot holds the nouns of the Sustained Engineering Team (SET) bot:
// identifiers, priorities, intakes, incidents, the roster, the error type that
// is safe to show a person, and the few interfaces that cross packages.
//
// It imports the standard library only. Each outside system has a package of
// its own that is its only importer: bot (Mattermost), jira (Jira), store
// (bbolt). Conversations are pure state machines in package conversations.
package setbot
