// Package artifacts recognises and checks the files a support engineer
// uploads to an intake: Mattermost configurations (redacted through a
// ConfigRedactor before anything is kept), logs (plain, JSON lines, .gz, .zip,
// .tar, .tar.gz; kept with their secrets masked), pprof CPU and heap
// profiles, goroutine dumps and support packets. It also parses Mattermost
// and database versions as people type them.
//
// It fails closed on secrets: whatever holds configuration settings, by
// content and whatever its name or wrapping, is redacted or refused, and an
// archive is kept only as rebuilt from its checked members.
//
// Large files are never held whole in memory: a check reads its upload
// afresh for each pass (setbot.Content, in memory or in a file) and writes
// what it keeps to temporary files, the only I/O here; it removes every
// one its result does not hold. There is no clock and no network. A refusal
// is a sentence a person can act on: what the file is, and how to get the
// right one.
package artifacts
