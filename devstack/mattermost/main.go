// Command mattermost is a Mattermost Team Edition server built from the Go
// module proxy, for setbot's integration tests and demo (see devstack/stack).
//
// It lives in its own nested module so that the bot's go.mod does not inherit
// the server's dependency graph and `go test ./...` at the repository root
// does not include it.
package main

import (
	"os"

	"github.com/mattermost/mattermost/server/v8/channels/jobs"
	"github.com/mattermost/mattermost/server/v8/cmd/mattermost/commands"

	// Slash commands (/join, /echo, ...) and the GitLab OAuth provider, as the
	// upstream Team Edition main package registers them. The enterprise import
	// is deliberately left out: it needs private modules.
	_ "github.com/mattermost/mattermost/server/v8/channels/app/oauthproviders/gitlab"
	_ "github.com/mattermost/mattermost/server/v8/channels/app/slashcommands"
)

func main() {
	// The job watcher first sleeps a random part of this interval (15 s by
	// default) without watching for shutdown, so a server stopped soon after it
	// started took up to 15 s to exit. Mattermost's own tests shorten it too.
	jobs.DefaultWatcherPollingInterval = 1000

	if err := commands.Run(os.Args[1:]); err != nil {
		os.Exit(1)
	}
}
