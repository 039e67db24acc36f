package mmtest

import (
	"encoding/json"

	"github.com/mattermost/mattermost/server/public/model"
)

// Secrets planted in ConfigJSON; none may reach Jira.
var Secrets = []string{"Db-Pa55word", "smtp-pw", "giphy-sdk-key"}

// ConfigJSON is a realistic config.json, made from the real model.Config
// with its defaults and a few secrets filled in.
func ConfigJSON() []byte {
	var c model.Config
	c.SetDefaults()
	c.ServiceSettings.SiteURL = model.NewPointer("https://chat.acme.example")
	c.SqlSettings.DriverName = model.NewPointer(model.DatabaseDriverPostgres)
	c.SqlSettings.DataSource = model.NewPointer("postgres://mmuser:Db-Pa55word@db.acme.internal:5432/mattermost?sslmode=require")
	c.EmailSettings.SMTPPassword = model.NewPointer("smtp-pw")
	c.ServiceSettings.GiphySdkKey = model.NewPointer("giphy-sdk-key")
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}
