module github.com/setbot/setbot

go 1.26.7

require (
	github.com/BurntSushi/toml v1.6.0 // indirect
	github.com/andygrunwald/go-jira v1.17.0 // indirect
	github.com/chzyer/readline v1.5.1 // indirect
	github.com/fatih/structs v1.1.0 // indirect
	github.com/getkin/kin-openapi v0.133.0 // indirect
	github.com/golang-jwt/jwt/v4 v4.5.2 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/google/go-querystring v1.1.0 // indirect
	github.com/google/pprof v0.0.0-20261105003125-4bf881d7fb0b // indirect
	github.com/ianlancetaylor/demangle v0.0.0-20250417193237-f615e6bd150b // indirect
	github.com/mattermost/mattermost/server/public v0.4.4 // indirect
	github.com/mattn/go-colorable v0.1.15 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/rs/zerolog v1.35.1 // indirect
	github.com/trivago/tgo v1.0.7 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)
