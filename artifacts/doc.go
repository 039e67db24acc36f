// Package artifacts recognises and checks the files a support engineer
// uploads to an intake: Mattermost configurations (redacted through a
// ConfigRedactor before anything is kept), logs (plain, JSON lines, .gz, .zip),
// pprof CPU and heap profiles, goroutine dumps and support packets. It also
// parses Mattermost and database versions as people type them.
//
// Everything here is pure: no I/O, no clock. A refusal is a sentence a person
// can act on: what the file is, and how to get the right one.
package artifacts
