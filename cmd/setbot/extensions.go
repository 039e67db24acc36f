package main

import (
	"context"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot/dispatch"
)

// extensions builds the optional parts (Jira) from the configuration.
func (m *Main) extensions(ctx context.Context, log zerolog.Logger, cfg *Config) (dispatch.Extensions, error) {
	return dispatch.Extensions{}, nil
}
