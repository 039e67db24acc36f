//go:build e2e

package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
)

// faultProxy is a loopback TCP proxy between setbot and Mattermost that,
// while on, delays every chunk of data by half the added round trip in
// each direction, and drops the connection under dropPct of the chunks
// setbot sends (its requests and websocket frames): with keep-alive, a
// dropped request is a dropped connection. Data is forwarded untouched
// while it is off.
type faultProxy struct {
	ln      net.Listener
	target  string
	rtt     time.Duration // added round trip: rtt/2 each way
	dropPct int           // per 100 chunks from setbot while on
	on      atomic.Bool
	sent    atomic.Int64 // chunks from setbot while on
	dropped atomic.Int64 // connections dropped
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]bool
}

// newFaultProxy listens on loopback and forwards to target (host:port);
// it is closed with the test.
func newFaultProxy(t *testing.T, target string, rtt time.Duration, dropPct int) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, rtt: rtt, dropPct: dropPct, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *faultProxy) addr() string { return p.ln.Addr().String() }

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() { defer p.wg.Done(); p.serve(c) }()
	}
}

// serve forwards one connection until either side closes it (or the
// proxy drops it).
func (p *faultProxy) serve(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.track(c, up)
	defer p.untrack(c, up)
	drop := func() { c.Close(); up.Close() }
	done := make(chan struct{}, 2)
	go func() { p.pipe(up, c, drop); done <- struct{}{} }()
	go func() { p.pipe(c, up, nil); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	<-done
}

// pipe copies src to dst, each chunk delayed by rtt/2 while the proxy is
// on; chunks keep their order and later chunks do not wait for earlier
// delays to end (latency, not bandwidth). drop, when not nil, is called
// instead of forwarding dropPct of the chunks while on.
func (p *faultProxy) pipe(dst io.Writer, src io.Reader, drop func()) {
	type chunk struct {
		at   time.Time
		data []byte
	}
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				at := time.Now()
				if p.on.Load() {
					at = at.Add(p.rtt / 2)
					if drop != nil {
						p.sent.Add(1)
						if rand.IntN(100) < p.dropPct {
							p.dropped.Add(1)
							drop()
							return
						}
					}
				}
				q <- chunk{at: at, data: append([]byte(nil), buf[:n]...)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.data); err != nil {
			for range q { // drain, so the reader ends
			}
			return
		}
	}
}

func (p *faultProxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = true
	}
}

func (p *faultProxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
	}
}

func (p *faultProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Sizes of the network scenario, by the issue that asked for it.
const (
	proxyRTT      = 2 * time.Second
	proxyDropPct  = 5
	proxyFor      = time.Minute
	proxyAckEvery = 15 * time.Second
)

// TestFaultSlowLossyNetworkStillPages: with 2 s added to every round trip
// between setbot and Mattermost and 5% of its requests dropping their
// connection, for a minute, a page still reaches the primary, then the
// backup, then the lead, each once, and each later step is late by at
// most the added delay (plus the timer's 2 s tick) against its schedule.
func TestFaultSlowLossyNetworkStillPages(t *testing.T) {
	fig := faultCase(t)
	w := theWorld(t)
	u, err := url.Parse(w.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFaultProxy(t, u.Host, proxyRTT, proxyDropPct)
	r := newRig(t, w, fmt.Sprintf("[escalation]\nack_within = %q\n", proxyAckEvery))
	text := strings.Replace(readFile(t, r.cfg), fmt.Sprintf("url = %q", w.URL), fmt.Sprintf("url = %q", "http://"+proxy.addr()), 1)
	r.cfg = writeConfig(t, text)
	bot := r.start(t)
	ctx := context.Background()
	sup := person(t, w, "support1")
	pagers := []*pager{newPager(t, w, "alice"), newPager(t, w, "bob"), newPager(t, w, "carol")}
	var marks []mmtest.Mark
	for _, g := range pagers {
		marks = append(marks, g.p.Mark())
	}
	smark := sup.Mark()
	proxy.on.Store(true)
	offAt := time.Now().Add(proxyFor)
	// Someone chats with setbot all the while: traffic for the network to
	// lose, and answers that must not be lost with it.
	chat := newChatter(t, w, "dave")
	cmark := chat.p.Mark()
	asked := 0
	chatting := make(chan struct{})
	go func() {
		defer close(chatting)
		for time.Now().Before(offAt) {
			if _, err := chat.p.DM(ctx, "who"); err != nil {
				t.Error(err)
				return
			}
			asked++
			time.Sleep(500 * time.Millisecond) // a person typing, not a flood
		}
	}()
	what := fmt.Sprintf("checkout is down (lossy %d)", time.Now().UnixNano())
	post, err := sup.Post(ctx, w.SET.Id, "", "@setbot page "+what)
	if err != nil {
		t.Fatal(err)
	}
	paged := time.Now()
	var at []time.Time
	for i, step := range []string{"primary", "backup", "lead"} {
		pagers[i].waitPaged(t, marks[i], step, what, proxyAckEvery+30*time.Second)
		at = append(at, time.Now())
	}
	fig.note("added round trip %s, %d%% of requests drop their connection, ack_within %s", proxyRTT, proxyDropPct, proxyAckEvery)
	fig.note("primary paged %s after the page; backup %s and lead %s after the step before (schedule: %s)",
		at[0].Sub(paged).Round(100*time.Millisecond), at[1].Sub(at[0]).Round(100*time.Millisecond),
		at[2].Sub(at[1]).Round(100*time.Millisecond), proxyAckEvery)
	for i := 1; i < len(at); i++ {
		if late := at[i].Sub(at[i-1]) - proxyAckEvery; late > proxyRTT+2*time.Second {
			t.Errorf("step %d came %s after its schedule; want at most the added delay (%s) and a tick", i+1, late, proxyRTT)
		}
	}
	<-chatting // the minute of bad network has run out
	proxy.on.Store(false)
	for deadline := time.Now().Add(time.Minute); len(chat.p.Matching(cmark, chat.fromBot)) < asked && time.Now().Before(deadline); {
		if _, err := chat.p.WaitFor(ctx, chat.p.Mark(), chat.fromBot, time.Until(deadline)); err != nil {
			break
		}
	}
	bot.settle(t, w, sup)
	answered := len(chat.p.Matching(cmark, chat.fromBot))
	fig.note("a person's %d DMs during the minute: %d answers", asked, answered)
	if answered != asked {
		t.Errorf("%d answers to %d DMs sent during the bad minute, want one each", answered, asked)
	}
	if got := steps(sup, smark, w.SET.Id, post.Id); fmt.Sprint(got) != "map[alice:1 bob:1 carol:1]" {
		t.Errorf("steps in the thread: %v, want each person paged once", got)
	}
	for i, g := range pagers {
		var step []string
		for _, m := range g.p.Matching(marks[i], mmtest.Containing(g.p.FromBot(g.dm, ""), what)) {
			if !strings.HasPrefix(m.Message, "Nobody has acknowledged") { // the rounds that page everyone come after the lead
				step = append(step, m.Message)
			}
		}
		if len(step) != 1 {
			t.Errorf("%s got %d step DMs, want 1: %q", g.p.User.Username, len(step), step)
		}
	}
	fig.note("requests from setbot through the proxy while on: %d; connections dropped: %d", proxy.sent.Load(), proxy.dropped.Load())
}
